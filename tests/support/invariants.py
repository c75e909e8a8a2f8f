"""Invariants of the registration tables, checked from the raw items on any boto3 DynamoDB client
(moto's or DynamoDB Local's), never through event_core: the checker states the contract on its
own, so a bug in the domain cannot hide itself.

For one event:
- registeredCount, offeredCount (absent: 0) and waitlistCount equal the rows with status
  registered, offered and waitlisted; registered + offered never exceeds capacity (an offer holds
  its spot);
- every row has a known status; no user holds two places, and every row is in exactly the
  sparse index of its status (an offer is on the registered-index, with the spot it holds); an
  offered row carries its offer (offerId, offeredAt, offerExpiresAt) and no other row does;
- waitlistSeq tickets are unique, below waitlistSeqNext and strictly increasing in arrival order
  (registeredAt, then the admission queue key that orders the people of one batch); the
  positions the API computes from the waitlist index are 1..n, contiguous, in ticket order;
- no spot neither taken nor offered while people wait, in a status where freed spots go to the
  waitlist;
- every row belongs to a live event and an existing user.
For one user: each place the user index lists belongs to a live event, and the user exists.

To grow it (a new status, a new rule): give the status its order in `STATUS_ORDER`, read its rows
with `EventState.rows_with(status)`, and register each new check with `@event_check`; a module of
further invariants (tests/support/offer_invariants.py, say) only has to be imported.

The tables are named by their template logical ids. Every read is strongly consistent except on
the user GSI, which cannot be (DynamoDB Local and moto answer it up to date anyway).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from itertools import pairwise
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from event_core.ids import queue_partition

EVENTS_TABLE = "EventsTable"
USERS_TABLE = "UsersTable"
REGISTRATIONS_TABLE = "RegistrationsTable"
REGISTERED_INDEX = "registered-index"
WAITLIST_INDEX = "waitlist-index"
USER_INDEX = "user-index"
REGISTERED = "registered"
OFFERED = "offered"
WAITLISTED = "waitlisted"
OFFER_FIELDS = ("offerId", "offeredAt", "offerExpiresAt")
# Where freed spots go to the waitlist.
PROMOTING_STATUSES = frozenset({"active", "postponed"})
# Every status a registration row may have, with the order its rows are listed in (an index's).
STATUS_ORDER: dict[str, Callable[[dict[str, Any]], Any]] = {
    REGISTERED: lambda row: row.get("registeredSort", ""),
    OFFERED: lambda row: row.get("registeredSort", ""),
    WAITLISTED: lambda row: row.get("waitlistSeq", -1),
}

Item = dict[str, Any]
_deserializer = TypeDeserializer()


def decode(item: Item) -> Item:
    """A raw item as plain values (numbers as int where whole)."""
    return {name: _plain(_deserializer.deserialize(value)) for name, value in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _items(client: Any, **request: Any) -> Iterator[Item]:
    """Every item a query answers, page after page."""
    while True:
        response = client.query(**request)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _partition(client: Any, partition: str, index: str | None = None) -> list[Item]:
    """One partition of the registrations table (or of one of its local indexes), decoded."""
    request: dict[str, Any] = {
        "TableName": REGISTRATIONS_TABLE,
        "KeyConditionExpression": "eventId = :partition",
        "ExpressionAttributeValues": {":partition": {"S": partition}},
        "ConsistentRead": True,
        **({"IndexName": index} if index else {}),
    }
    return [decode(item) for item in _items(client, **request)]


def read_event_item(client: Any, event_id: str) -> Item | None:
    """The raw event item (tombstones included), read strongly consistent."""
    found = client.get_item(TableName=EVENTS_TABLE, Key={"eventId": {"S": event_id}}, ConsistentRead=True)
    return decode(found["Item"]) if "Item" in found else None


def stored_event(client: Any, event_id: str) -> Item:
    """The raw event item, which must exist."""
    event = read_event_item(client, event_id)
    assert event is not None, f"event {event_id} is not stored"
    return event


def registration_rows(client: Any, event_id: str) -> list[Item]:
    """Every registration row of an event, read strongly consistent from the base table."""
    return _partition(client, event_id)


def queue_items(client: Any, event_id: str) -> list[Item]:
    """The raw (undecoded) items of the event's admission queue: requests waiting, refusals, notes."""
    return list(
        _items(
            client,
            TableName=REGISTRATIONS_TABLE,
            KeyConditionExpression="eventId = :q",
            ExpressionAttributeValues={":q": {"S": queue_partition(event_id)}},
            ConsistentRead=True,
        )
    )


@dataclass(frozen=True)
class EventState:
    """What the tables hold for one event: its item, its rows, and its sparse indexes' listings."""

    event: Item | None
    rows: list[Item]  # every registration row, in key order
    in_registered_index: list[str]  # user ids, as the registered-index lists them
    in_waitlist_index: list[Item]  # rows, as the waitlist-index lists them (queue order)

    @property
    def live(self) -> bool:
        return self.event is not None and "deletedAt" not in self.event

    def rows_with(self, status: str) -> list[Item]:
        """The rows with this status, in its order (STATUS_ORDER; by user id for others)."""
        order = STATUS_ORDER.get(status, lambda row: row["userId"])
        return sorted((row for row in self.rows if row.get("status") == status), key=order)

    @property
    def registered(self) -> list[str]:
        """Registered user ids, in registered-index order."""
        return [row["userId"] for row in self.rows_with(REGISTERED)]

    @property
    def offered(self) -> list[str]:
        """User ids holding an offer of a spot, in registered-index order."""
        return [row["userId"] for row in self.rows_with(OFFERED)]

    @property
    def waitlisted(self) -> list[str]:
        """Waiting user ids, head of the queue first."""
        return [row["userId"] for row in self.rows_with(WAITLISTED)]

    def row(self, user_id: str) -> Item:
        return next(row for row in self.rows if row["userId"] == user_id)

    @cached_property
    def positions(self) -> dict[str, int]:
        """Each waiting person's position as the API computes it: 1 + tickets below theirs on the
        waitlist index."""
        tickets = sorted(row["waitlistSeq"] for row in self.in_waitlist_index)
        return {row["userId"]: 1 + bisect_left(tickets, row["waitlistSeq"]) for row in self.in_waitlist_index}


def read_event_state(client: Any, event_id: str) -> EventState:
    return EventState(
        event=read_event_item(client, event_id),
        rows=_partition(client, event_id),
        in_registered_index=[row["userId"] for row in _partition(client, event_id, REGISTERED_INDEX)],
        in_waitlist_index=_partition(client, event_id, WAITLIST_INDEX),
    )


EventCheck = Callable[[Any, EventState], Iterable[str]]
EVENT_CHECKS: list[EventCheck] = []


def event_check(check: EventCheck) -> EventCheck:
    """Register a check of a live event's state: it yields a sentence per broken invariant."""
    EVENT_CHECKS.append(check)
    return check


@event_check
def known_statuses(client: Any, state: EventState) -> Iterator[str]:
    for row in state.rows:
        if row.get("status") not in STATUS_ORDER:
            yield f"row {row['userId']} has unknown status {row.get('status')!r}"


@event_check
def counters_equal_rows(client: Any, state: EventState) -> Iterator[str]:
    event = state.event or {}
    registered, offered, waitlisted = len(state.registered), len(state.offered), len(state.waitlisted)
    if event.get("registeredCount") != registered:
        yield f"registeredCount={event.get('registeredCount')} but {registered} registered rows"
    if event.get("offeredCount", 0) != offered:
        yield f"offeredCount={event.get('offeredCount', 0)} but {offered} offered rows"
    if registered + offered > event["capacity"]:
        yield f"{registered} registered and {offered} offered rows exceed capacity {event['capacity']}"
    if event.get("registeredCount", 0) > event["capacity"]:
        yield f"registeredCount={event['registeredCount']} exceeds capacity {event['capacity']}"
    if event.get("waitlistCount") != waitlisted:
        yield f"waitlistCount={event.get('waitlistCount')} but {waitlisted} waitlisted rows"


@event_check
def one_place_each_in_its_index(client: Any, state: EventState) -> Iterator[str]:
    twice = [user for user, n in Counter(row["userId"] for row in state.rows).items() if n > 1]
    if twice:
        yield f"users holding more than one place: {twice}"
    in_waitlist_index = [row["userId"] for row in state.in_waitlist_index]
    if both := set(state.in_registered_index) & set(in_waitlist_index):
        yield f"users both registered and waiting: {sorted(both)}"
    if sorted(state.in_registered_index) != sorted(state.registered + state.offered):
        yield "registered-index does not list exactly the registered and offered rows"
    if in_waitlist_index != state.waitlisted:
        yield "waitlist-index does not list exactly the waitlisted rows in ticket order"
    for row in state.rows_with(REGISTERED) + state.rows_with(OFFERED):
        if "waitlistSeq" in row or "registeredSort" not in row:
            yield f"{row['status']} row {row['userId']} has the wrong index attributes"
    for row in state.rows_with(WAITLISTED):
        if "registeredSort" in row or "waitlistSeq" not in row:
            yield f"waitlisted row {row['userId']} has the wrong index attributes"


@event_check
def offers_carried_by_offered_rows_only(client: Any, state: EventState) -> Iterator[str]:
    for row in state.rows:
        carried = [name for name in OFFER_FIELDS if name in row]
        if row.get("status") == OFFERED and len(carried) != len(OFFER_FIELDS):
            yield f"offered row {row['userId']} carries only {carried}"
        if row.get("status") != OFFERED and carried:
            yield f"{row.get('status')} row {row['userId']} still carries {carried}"


@event_check
def waitlist_in_arrival_order(client: Any, state: EventState) -> Iterator[str]:
    waitlisted = state.rows_with(WAITLISTED)
    tickets = [row["waitlistSeq"] for row in waitlisted if "waitlistSeq" in row]
    if len(set(tickets)) != len(tickets):
        yield f"duplicate waitlistSeq tickets: {tickets}"
    next_ticket = (state.event or {}).get("waitlistSeqNext", 1)
    if any(ticket >= next_ticket for ticket in tickets):
        yield f"tickets {tickets} not all below waitlistSeqNext={next_ticket}"
    arrivals = [(row["registeredAt"], row.get("queueKey", "")) for row in waitlisted]
    if any(later <= earlier for earlier, later in pairwise(arrivals)):
        yield "waitlistSeq is not strictly increasing in arrival (registeredAt) order"
    positions = [state.positions.get(user) for user in state.waitlisted]
    if positions != list(range(1, len(waitlisted) + 1)):
        yield f"computed waitlist positions are not 1..n in ticket order: {positions}"


@event_check
def no_idle_spot_while_people_wait(client: Any, state: EventState) -> Iterator[str]:
    event = state.event or {}
    free = event["capacity"] - len(state.registered) - len(state.offered)
    if event.get("status") in PROMOTING_STATUSES and state.waitlisted and free > 0:
        yield f"{free} spots neither taken nor offered while {len(state.waitlisted)} people wait"


@event_check
def places_of_existing_users(client: Any, state: EventState) -> Iterator[str]:
    user_ids = {row["userId"] for row in state.rows}
    if missing := user_ids - existing_users(client, user_ids):
        yield f"registrations for missing users: {sorted(missing)}"


def existing_users(client: Any, user_ids: Iterable[str]) -> set[str]:
    """Which of these users exist (strongly consistent batch reads)."""
    found: set[str] = set()
    ids = sorted(set(user_ids))
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


def event_violations(client: Any, state: EventState | str) -> list[str]:
    """Every invariant the tables break for this event (its id, or its state as read)."""
    if isinstance(state, str):
        state = read_event_state(client, state)
    if not state.live:
        users = sorted(row["userId"] for row in state.rows)
        return [f"{len(users)} registrations for a missing or deleted event: {users}"] if users else []
    return [problem for check in EVENT_CHECKS for problem in check(client, state)]


def user_violations(client: Any, user_id: str) -> list[str]:
    """A user's places (via the user GSI) belong to live events, and the user exists."""
    listed = [
        decode(item)
        for item in _items(
            client,
            TableName=REGISTRATIONS_TABLE,
            IndexName=USER_INDEX,
            KeyConditionExpression="userId = :user",
            ExpressionAttributeValues={":user": {"S": user_id}},
        )
    ]
    problems: list[str] = []
    for row in listed:
        event = read_event_item(client, row["eventId"])
        if event is None or "deletedAt" in event:
            problems.append(f"user {user_id} holds a place at missing event {row['eventId']}")
    if listed and not existing_users(client, {user_id}):
        problems.append(f"missing user {user_id} holds {len(listed)} places")
    return problems


class InvariantViolation(AssertionError):
    pass


def assert_invariants(client: Any, event_id: str, *more: str, user_ids: Iterable[str] = ()) -> EventState:
    """Fail with every invariant broken for these events and users; else return the first
    event's state (as checked), for a test's own assertions."""
    event_ids = (event_id, *more)
    states = [read_event_state(client, each) for each in event_ids]
    problems = [
        f"event {each}: {problem}"
        for each, state in zip(event_ids, states, strict=True)
        for problem in event_violations(client, state)
    ]
    problems += [f"user {user}: {p}" for user in user_ids for p in user_violations(client, user)]
    if problems:
        raise InvariantViolation("invariants broken:\n  " + "\n  ".join(problems))
    return states[0]


# The checks of later features register themselves with @event_check when imported: import them
# here so that every assert_invariants runs them.
from tests.support import checkin_invariants  # noqa: E402,F401
