"""Invariants of an event and its registrations, checked against the raw tables.

- registeredCount equals the rows with status "registered", and never exceeds capacity;
- waitlistCount equals the rows with status "waitlisted";
- confirmed rows carry registeredSort and no waitlistSeq, waiting rows the reverse;
- waiting rows hold distinct tickets below the event's waitlistSeqNext, and their ticket order
  is their arrival (registeredAt) order, so the computed positions are 1..n, contiguous;
- while the event promotes (active or postponed) nobody waits next to a free spot;
- a deleted (or never created) event has no registrations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from event_core.models.events import PROMOTING_STATUSES
from event_core.store.codec import decode
from event_core.store.registrations import StoredRegistration
from event_core.waitlist import position


@dataclass(frozen=True)
class Tables:
    """What the raw tables say about one event."""

    event: dict[str, Any] | None
    registered: list[str]  # user ids in registered-index order (registeredSort)
    waitlisted: list[str]  # user ids in queue order (waitlistSeq)
    rows: list[dict[str, Any]]


class InvariantViolation(AssertionError):
    pass


def read_tables(client: Any, event_id: str) -> Tables:
    """The event item and every registration row of the event, read strongly consistent."""
    found = client.get_item(TableName="EventsTable", Key={"eventId": {"S": event_id}}, ConsistentRead=True)
    event = decode(found["Item"]) if "Item" in found else None
    rows: list[dict[str, Any]] = []
    request: dict[str, Any] = {
        "TableName": "RegistrationsTable",
        "KeyConditionExpression": "eventId = :e",
        "ExpressionAttributeValues": {":e": {"S": event_id}},
        "ConsistentRead": True,
    }
    while True:
        response = client.query(**request)
        rows.extend(decode(item) for item in response["Items"])
        if "LastEvaluatedKey" not in response:
            break
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    registered = sorted(
        (r for r in rows if r["status"] == "registered"), key=lambda r: r.get("registeredSort", "")
    )
    waitlisted = sorted(
        (r for r in rows if r["status"] == "waitlisted"), key=lambda r: r.get("waitlistSeq", 0)
    )
    return Tables(
        event=event,
        registered=[r["userId"] for r in registered],
        waitlisted=[r["userId"] for r in waitlisted],
        rows=rows,
    )


def violations(client: Any, event_id: str) -> list[str]:
    """Every invariant the stored state of the event breaks (empty when consistent)."""
    tables = read_tables(client, event_id)
    event, rows = tables.event, tables.rows
    if event is None or "deletedAt" in event:
        return [f"{len(rows)} registrations left for a missing event"] if rows else []

    problems: list[str] = []
    registered = [r for r in rows if r["status"] == "registered"]
    waiting = [r for r in rows if r["status"] == "waitlisted"]
    if len(registered) + len(waiting) != len(rows):
        problems.append(f"rows with unknown status: {[r['status'] for r in rows]}")
    if event["registeredCount"] != len(registered):
        problems.append(f"registeredCount {event['registeredCount']} != {len(registered)} registered rows")
    if len(registered) > event["capacity"]:
        problems.append(f"{len(registered)} registered over capacity {event['capacity']}")
    if event["waitlistCount"] != len(waiting):
        problems.append(f"waitlistCount {event['waitlistCount']} != {len(waiting)} waitlisted rows")
    for row in registered:
        if "registeredSort" not in row or "waitlistSeq" in row:
            problems.append(f"registered row {row['userId']} has the wrong index keys")
    for row in waiting:
        if "waitlistSeq" not in row or "registeredSort" in row:
            problems.append(f"waitlisted row {row['userId']} has the wrong index keys")

    tickets = [r["waitlistSeq"] for r in waiting if "waitlistSeq" in r]
    if len(set(tickets)) != len(tickets):
        problems.append(f"duplicate waitlist tickets {sorted(tickets)}")
    if tickets and max(tickets) >= event.get("waitlistSeqNext", 1):
        problems.append(f"ticket {max(tickets)} not below waitlistSeqNext {event.get('waitlistSeqNext')}")
    by_ticket = sorted(waiting, key=lambda r: r.get("waitlistSeq", 0))
    by_arrival = sorted(waiting, key=lambda r: (r["registeredAt"], r.get("waitlistSeq", 0)))
    if [r["userId"] for r in by_ticket] != [r["userId"] for r in by_arrival]:
        problems.append("waitlist ticket order differs from arrival order")
    positions = [position(_stored(r)) for r in by_ticket]
    if positions != list(range(1, len(by_ticket) + 1)):
        problems.append(f"waitlist positions {positions} are not 1..{len(by_ticket)}")

    if event["status"] in PROMOTING_STATUSES and waiting and len(registered) < event["capacity"]:
        problems.append(
            f"{len(waiting)} waiting while {event['capacity'] - len(registered)} spots are free"
            f" in a {event['status']} event"
        )
    return problems


def assert_invariants(client: Any, event_id: str) -> Tables:
    """Fail with every broken invariant; return the tables for further checks."""
    problems = violations(client, event_id)
    if problems:
        raise InvariantViolation(f"event {event_id}: " + "; ".join(problems))
    return read_tables(client, event_id)


def _stored(row: dict[str, Any]) -> StoredRegistration:
    return StoredRegistration(
        event_id=row["eventId"],
        user_id=row["userId"],
        status=row["status"],
        registered_at=row["registeredAt"],
        waitlist_seq=row.get("waitlistSeq"),
    )


def stored_event(client: Any, event_id: str) -> dict[str, Any]:
    """The raw event item, which must exist."""
    event = read_tables(client, event_id).event
    assert event is not None, f"event {event_id} is not stored"
    return event


def queue_items(client: Any, event_id: str) -> list[dict[str, Any]]:
    """The raw items of the event's admission queue: requests waiting, refusals, notes."""
    from event_core.ids import queue_partition

    return client.query(
        TableName="RegistrationsTable",
        KeyConditionExpression="eventId = :q",
        ExpressionAttributeValues={":q": {"S": queue_partition(event_id)}},
        ConsistentRead=True,
    )["Items"]
