"""Invariants of the registration tables, checked from the raw items (never through event_core).

For one event:
- registeredCount equals the rows with status registered, and never exceeds capacity;
- waitlistCount equals the rows with status waitlisted;
- no user holds two places, and every row is in exactly the sparse index of its status;
- waitlistSeq tickets are unique, below waitlistSeqNext and strictly increasing in arrival order
  (registeredAt, then the admission queue key that orders the people of one batch);
  the positions computed from the waitlist index are 1..n, contiguous, in ticket order;
- no free spot while people wait, in a status where freed spots go to the waitlist;
- every row belongs to a live event and an existing user.

The local tables are named by their template logical ids. Every read is strongly consistent
except on the user GSI, which cannot be (DynamoDB Local answers it up to date anyway).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

EVENTS_TABLE = "EventsTable"
USERS_TABLE = "UsersTable"
REGISTRATIONS_TABLE = "RegistrationsTable"
REGISTERED_INDEX = "registered-index"
WAITLIST_INDEX = "waitlist-index"
USER_INDEX = "user-index"
PROMOTING_STATUSES = frozenset({"active", "postponed"})

_deserializer = TypeDeserializer()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def decode(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _plain(_deserializer.deserialize(value)) for name, value in item.items()}


def _query(client: Any, **request: Any) -> Iterator[dict[str, Any]]:
    while True:
        response = client.query(**request)
        yield from (decode(item) for item in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _by_event(client: Any, event_id: str, index: str | None = None) -> list[dict[str, Any]]:
    request: dict[str, Any] = {
        "TableName": REGISTRATIONS_TABLE,
        "KeyConditionExpression": "eventId = :event",
        "ExpressionAttributeValues": {":event": {"S": event_id}},
        "ConsistentRead": True,
    }
    if index:
        request["IndexName"] = index
    return list(_query(client, **request))


def _count_ahead(client: Any, event_id: str, seq: int) -> int:
    request: dict[str, Any] = {
        "TableName": REGISTRATIONS_TABLE,
        "IndexName": WAITLIST_INDEX,
        "KeyConditionExpression": "eventId = :event AND waitlistSeq < :seq",
        "ExpressionAttributeValues": {":event": {"S": event_id}, ":seq": {"N": str(seq)}},
        "ConsistentRead": True,
        "Select": "COUNT",
    }
    total = 0
    while True:
        response = client.query(**request)
        total += response["Count"]
        if "LastEvaluatedKey" not in response:
            return total
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _existing_users(client: Any, user_ids: set[str]) -> set[str]:
    found: set[str] = set()
    ids = sorted(user_ids)
    for start in range(0, len(ids), 100):
        request: dict[str, Any] = {
            USERS_TABLE: {
                "Keys": [{"userId": {"S": user_id}} for user_id in ids[start : start + 100]],
                "ConsistentRead": True,
                "ProjectionExpression": "userId",
            }
        }
        while request:
            response = client.batch_get_item(RequestItems=request)
            found.update(item["userId"]["S"] for item in response["Responses"].get(USERS_TABLE, []))
            request = response.get("UnprocessedKeys") or {}
    return found


def read_event_item(client: Any, event_id: str) -> dict[str, Any] | None:
    """The raw event item (tombstones included), read strongly consistent."""
    response = client.get_item(TableName=EVENTS_TABLE, Key={"eventId": {"S": event_id}}, ConsistentRead=True)
    item = response.get("Item")
    return decode(item) if item else None


@dataclass
class EventState:
    """What the tables hold for one event, with each waiting person's computed position."""

    event: dict[str, Any] | None
    rows: list[dict[str, Any]]
    registered: list[dict[str, Any]] = field(default_factory=list)
    waitlisted: list[dict[str, Any]] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)

    @property
    def live(self) -> bool:
        return self.event is not None and "deletedAt" not in self.event

    @property
    def registered_ids(self) -> set[str]:
        return {row["userId"] for row in self.registered}

    @property
    def waitlist_order(self) -> list[str]:
        """Waiting user ids, head of the queue first."""
        return [row["userId"] for row in self.waitlisted]


def read_event_state(client: Any, event_id: str) -> EventState:
    rows = _by_event(client, event_id)
    state = EventState(event=read_event_item(client, event_id), rows=rows)
    state.registered = sorted(
        (r for r in rows if r.get("status") == "registered"), key=lambda r: r.get("registeredSort", "")
    )
    state.waitlisted = sorted(
        (r for r in rows if r.get("status") == "waitlisted"), key=lambda r: r.get("waitlistSeq", -1)
    )
    state.positions = {
        row["userId"]: _count_ahead(client, event_id, row["waitlistSeq"]) + 1
        for row in state.waitlisted
        if "waitlistSeq" in row
    }
    return state


def event_violations(client: Any, event_id: str) -> list[str]:
    """Every invariant the tables break for this event (empty when all hold)."""
    state = read_event_state(client, event_id)
    problems: list[str] = []
    if not state.live:
        if state.rows:
            users = sorted(r["userId"] for r in state.rows)
            problems.append(f"{len(state.rows)} registrations for a missing or deleted event: {users}")
        return problems

    event = state.event or {}
    registered, waitlisted = state.registered, state.waitlisted
    for row in state.rows:
        if row.get("status") not in ("registered", "waitlisted"):
            problems.append(f"row {row['userId']} has unknown status {row.get('status')!r}")

    # Counters equal the rows, within capacity.
    if event.get("registeredCount") != len(registered):
        problems.append(
            f"registeredCount={event.get('registeredCount')} but {len(registered)} registered rows"
        )
    if len(registered) > event["capacity"]:
        problems.append(f"{len(registered)} registered rows exceed capacity {event['capacity']}")
    if event.get("registeredCount", 0) > event["capacity"]:
        problems.append(f"registeredCount={event['registeredCount']} exceeds capacity {event['capacity']}")
    if event.get("waitlistCount") != len(waitlisted):
        problems.append(f"waitlistCount={event.get('waitlistCount')} but {len(waitlisted)} waitlisted rows")

    # Nobody twice; each row in exactly the sparse index of its status.
    twice = [user for user, n in Counter(r["userId"] for r in state.rows).items() if n > 1]
    if twice:
        problems.append(f"users holding more than one place: {twice}")
    in_registered_index = [r["userId"] for r in _by_event(client, event_id, REGISTERED_INDEX)]
    in_waitlist_index = [r["userId"] for r in _by_event(client, event_id, WAITLIST_INDEX)]
    if both := set(in_registered_index) & set(in_waitlist_index):
        problems.append(f"users both registered and waiting: {sorted(both)}")
    if sorted(in_registered_index) != sorted(r["userId"] for r in registered):
        problems.append("registered-index does not list exactly the registered rows")
    if in_waitlist_index != state.waitlist_order:
        problems.append("waitlist-index does not list exactly the waitlisted rows in ticket order")
    for row in registered:
        if "waitlistSeq" in row or "registeredSort" not in row:
            problems.append(f"registered row {row['userId']} has the wrong index attributes")
    for row in waitlisted:
        if "registeredSort" in row or "waitlistSeq" not in row:
            problems.append(f"waitlisted row {row['userId']} has the wrong index attributes")

    # Tickets: unique, handed out by the event, in arrival order; positions 1..n in that order.
    seqs = [r["waitlistSeq"] for r in waitlisted if "waitlistSeq" in r]
    if len(set(seqs)) != len(seqs):
        problems.append(f"duplicate waitlistSeq tickets: {seqs}")
    next_seq = event.get("waitlistSeqNext", 1)
    if any(seq >= next_seq for seq in seqs):
        problems.append(f"tickets {seqs} not all below waitlistSeqNext={next_seq}")
    arrivals = [(r["registeredAt"], r.get("queueKey", "")) for r in waitlisted]
    if any(later <= earlier for earlier, later in pairwise(arrivals)):
        problems.append("waitlistSeq is not strictly increasing in arrival (registeredAt) order")
    positions = [state.positions.get(r["userId"]) for r in waitlisted]
    if positions != list(range(1, len(waitlisted) + 1)):
        problems.append(f"computed waitlist positions are not 1..n in ticket order: {positions}")

    # A spot never stays free while someone waits, where freed spots go to the waitlist.
    if event.get("status") in PROMOTING_STATUSES and waitlisted and len(registered) < event["capacity"]:
        problems.append(
            f"{event['capacity'] - len(registered)} free spots while {len(waitlisted)} people wait"
        )

    # Every place belongs to an existing user.
    user_ids = {r["userId"] for r in state.rows}
    if missing := user_ids - _existing_users(client, user_ids):
        problems.append(f"registrations for missing users: {sorted(missing)}")
    return problems


def user_violations(client: Any, user_id: str) -> list[str]:
    """A user's places (via the user GSI) exist in the base table and belong to live events."""
    listed = list(
        _query(
            client,
            TableName=REGISTRATIONS_TABLE,
            IndexName=USER_INDEX,
            KeyConditionExpression="userId = :user",
            ExpressionAttributeValues={":user": {"S": user_id}},
        )
    )
    problems: list[str] = []
    for row in listed:
        event = read_event_item(client, row["eventId"])
        if event is None or "deletedAt" in event:
            problems.append(f"user {user_id} holds a place at missing event {row['eventId']}")
    if listed and not _existing_users(client, {user_id}):
        problems.append(f"missing user {user_id} holds {len(listed)} places")
    return problems


def assert_invariants(client: Any, *event_ids: str, user_ids: tuple[str, ...] = ()) -> None:
    """Fail with every broken invariant of these events and users."""
    problems = [f"event {e}: {p}" for e in event_ids for p in event_violations(client, e)]
    problems += [f"user {u}: {p}" for u in user_ids for p in user_violations(client, u)]
    assert not problems, "invariants broken:\n  " + "\n  ".join(problems)


def registration_rows(client: Any, event_id: str) -> list[dict[str, Any]]:
    """Every registration row of an event, read strongly consistent from the base table."""
    return _by_event(client, event_id)
