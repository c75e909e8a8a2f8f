"""Invariants of an event's places once offers exist (the `offer` waitlist mode), checked from
the raw tables (never through event_core), on moto or DynamoDB Local alike.

For one event:
- every row is registered, offered or waitlisted; registeredCount, offeredCount (absent: 0) and
  waitlistCount equal the rows of each status;
- registered + offered <= capacity: an offer holds its spot;
- registered and offered rows are on the registered-index (registeredSort) and off the waitlist
  index; waiting rows the reverse; offered rows carry their offer (offerId, offeredAt,
  offerExpiresAt) and nobody else does;
- waiting tickets are unique, below waitlistSeqNext and in arrival order, and the positions
  computed from the waitlist index are 1..n, contiguous;
- while the event promotes (active or postponed) nobody waits next to a spot neither taken nor
  offered;
- a deleted (or never created) event has no registrations.

An event in `auto` mode without offers meets these exactly when it meets the older checkers'.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

EVENTS_TABLE = "EventsTable"
REGISTRATIONS_TABLE = "RegistrationsTable"
WAITLIST_INDEX = "waitlist-index"
PROMOTING_STATUSES = frozenset({"active", "postponed"})
STATUSES = ("registered", "offered", "waitlisted")
OFFER_FIELDS = ("offerId", "offeredAt", "offerExpiresAt")

_deserializer = TypeDeserializer()


class OfferInvariantViolation(AssertionError):
    pass


@dataclass(frozen=True)
class Places:
    """Who holds what at one event, from the raw tables."""

    event: dict[str, Any] | None
    registered: list[str]  # by registeredSort
    offered: list[str]  # by registeredSort (when offered)
    waitlisted: list[str]  # by ticket
    rows: list[dict[str, Any]]

    def row(self, user_id: str) -> dict[str, Any]:
        return next(r for r in self.rows if r["userId"] == user_id)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _decode(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _plain(_deserializer.deserialize(value)) for name, value in item.items()}


def _all(client: Any, **request: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        response = client.query(**request)
        found.extend(_decode(item) for item in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return found
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def read_places(client: Any, event_id: str) -> Places:
    """The event item and every registration row of the event, read strongly consistent."""
    found = client.get_item(TableName=EVENTS_TABLE, Key={"eventId": {"S": event_id}}, ConsistentRead=True)
    rows = _all(
        client,
        TableName=REGISTRATIONS_TABLE,
        KeyConditionExpression="eventId = :e",
        ExpressionAttributeValues={":e": {"S": event_id}},
        ConsistentRead=True,
    )

    def of(status: str, order: str) -> list[str]:
        return [
            r["userId"]
            for r in sorted((r for r in rows if r["status"] == status), key=lambda r: r.get(order, 0))
        ]

    return Places(
        event=_decode(found["Item"]) if "Item" in found else None,
        registered=of("registered", "registeredSort"),
        offered=of("offered", "registeredSort"),
        waitlisted=of("waitlisted", "waitlistSeq"),
        rows=rows,
    )


def _positions(client: Any, event_id: str) -> list[str]:
    """User ids in the waitlist index's order (the order positions are computed in)."""
    return [
        r["userId"]
        for r in _all(
            client,
            TableName=REGISTRATIONS_TABLE,
            IndexName=WAITLIST_INDEX,
            KeyConditionExpression="eventId = :e",
            ExpressionAttributeValues={":e": {"S": event_id}},
            ConsistentRead=True,
        )
    ]


def offer_violations(client: Any, event_id: str) -> list[str]:
    """Every invariant the stored state of the event breaks (empty when consistent)."""
    places = read_places(client, event_id)
    event, rows = places.event, places.rows
    if event is None or "deletedAt" in event:
        return [f"{len(rows)} registrations left for a missing event"] if rows else []

    problems: list[str] = []
    unknown = [r["status"] for r in rows if r["status"] not in STATUSES]
    if unknown:
        problems.append(f"rows with unknown status: {unknown}")
    counts = {
        "registered": event["registeredCount"],
        "offered": event.get("offeredCount", 0),
        "waitlisted": event["waitlistCount"],
    }
    listed = {"registered": places.registered, "offered": places.offered, "waitlisted": places.waitlisted}
    for status, count in counts.items():
        if count != len(listed[status]):
            problems.append(f"{status} count {count} != {len(listed[status])} {status} rows")
    held = len(places.registered) + len(places.offered)
    if held > event["capacity"]:
        problems.append(f"{held} spots registered or offered over capacity {event['capacity']}")

    for row in rows:
        holding = row["status"] in ("registered", "offered")
        if holding != ("registeredSort" in row) or holding == ("waitlistSeq" in row):
            problems.append(f"{row['status']} row {row['userId']} has the wrong index keys")
        carried = [name for name in OFFER_FIELDS if name in row]
        if row["status"] == "offered" and len(carried) != len(OFFER_FIELDS):
            problems.append(f"offered row {row['userId']} carries only {carried}")
        if row["status"] != "offered" and carried:
            problems.append(f"{row['status']} row {row['userId']} still carries {carried}")

    waiting = [r for r in rows if r["status"] == "waitlisted"]
    tickets = [r.get("waitlistSeq", 0) for r in waiting]
    if len(set(tickets)) != len(tickets):
        problems.append(f"duplicate waitlist tickets {sorted(tickets)}")
    if tickets and max(tickets) >= event.get("waitlistSeqNext", 1):
        problems.append(f"ticket {max(tickets)} not below waitlistSeqNext {event.get('waitlistSeqNext')}")
    by_arrival = [
        r["userId"] for r in sorted(waiting, key=lambda r: (r["registeredAt"], r.get("waitlistSeq", 0)))
    ]
    if places.waitlisted != by_arrival:
        problems.append("waitlist ticket order differs from arrival order")
    if _positions(client, event_id) != places.waitlisted:
        problems.append("the waitlist index holds others than the people waiting, or out of order")

    if event.get("status") in PROMOTING_STATUSES and waiting and held < event["capacity"]:
        problems.append(
            f"{len(waiting)} waiting while {event['capacity'] - held} spots are neither taken nor offered"
            f" in a {event['status']} event"
        )
    return problems


def assert_offer_invariants(client: Any, event_id: str) -> Places:
    """Fail with every broken invariant; return the places for further checks."""
    problems = offer_violations(client, event_id)
    if problems:
        raise OfferInvariantViolation(f"event {event_id}: " + "; ".join(problems))
    return read_places(client, event_id)
