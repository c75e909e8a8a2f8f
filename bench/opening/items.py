"""What DynamoDB holds for the event: its item (the counters) and its registration rows."""

from __future__ import annotations

import math
from collections import deque
from typing import NamedTuple

from dynamodb_model.inflight import ItemKey

EVENT_ID = "opening"
REGISTERED = "registered"
WAITLISTED = "waitlisted"


# The hot partitions: the event item, the event's registration rows (one partition key, kept in
# one partition by the table's local secondary indexes) and its admission queue (`queue#<id>`).
EVENT_ITEM = "event item"
ROWS = "registrations"
QUEUE = "queue"
HOT_PARTITIONS = (EVENT_ITEM, ROWS, QUEUE)
_PARTITION_OF_TABLE = {"EventsTable": EVENT_ITEM, "RegistrationsTable": ROWS}


def partition(key: ItemKey) -> str | None:
    """Which hot partition an item is in (None: a user's item, spread over many partitions)."""
    return _PARTITION_OF_TABLE.get(key[0])


def event_key() -> ItemKey:
    return ("EventsTable", EVENT_ID)


def user_key(user: int) -> ItemKey:
    return ("UsersTable", f"u{user}")


def registration_key(user: int) -> ItemKey:
    return ("RegistrationsTable", f"{EVENT_ID}#u{user}")


class Counts(NamedTuple):
    """The event item's attributes that registration conditions look at."""

    registered: int  # registeredCount
    waiting: int  # waitlistCount
    seq_next: int  # waitlistSeqNext: the next arrival ticket


class EventItem:
    """The event item. A consistent read answers with the item as it was when the read started
    (the model forwards a read when it arrives and commits a transaction when its latency ends),
    so the item keeps its last few versions."""

    def __init__(self, capacity: int, *, waitlist: bool) -> None:
        self.capacity = capacity
        self.waitlist = waitlist
        self.counts = Counts(0, 0, 1)
        self.writes = 0
        self._versions: deque[tuple[float, Counts]] = deque([(-math.inf, self.counts)], maxlen=16)

    def read(self, at: float) -> Counts:
        since, counts = self._versions[-1]
        if since <= at:
            return counts
        for since, counts in reversed(self._versions):
            if since <= at:
                return counts
        raise RuntimeError(f"a read started at {at:.6f} s is older than the versions kept")

    def write(self, now: float, counts: Counts) -> None:
        self.counts = counts
        self.writes += 1
        self._versions.append((now, counts))


class Row(NamedTuple):
    status: str
    ticket: int | None = None  # waitlistSeq of a waiting person


class Registrations:
    """The event's registration rows, and its waitlist-index (waiting people by ticket)."""

    def __init__(self) -> None:
        self.rows: dict[int, Row] = {}
        self._queue: dict[int, int] = {}  # ticket -> user; tickets are handed out increasing

    def get(self, user: int) -> Row | None:
        return self.rows.get(user)

    def put(self, user: int, row: Row) -> None:
        if user in self.rows:
            raise RuntimeError(f"u{user} already has a row")  # the Put's attribute_not_exists
        self.rows[user] = row
        if row.ticket is not None:
            self._queue[row.ticket] = user

    def delete(self, user: int) -> None:
        row = self.rows.pop(user)
        if row.ticket is not None:
            del self._queue[row.ticket]

    def promote(self, user: int) -> None:
        self.delete(user)
        self.rows[user] = Row(REGISTERED)

    def ahead(self, ticket: int) -> int:
        """How many wait with a smaller ticket: the COUNT Query behind a waiting position."""
        if not self._queue:
            return 0
        first = next(iter(self._queue))
        last = next(reversed(self._queue))
        if last - first + 1 == len(self._queue):  # nobody left from the middle: contiguous
            return max(0, min(ticket, last + 1) - first)
        return sum(1 for t in self._queue if t < ticket)

    def head(self, count: int) -> list[tuple[int, int]]:
        """(user, ticket) of the first `count` waiting people: a Query of the waitlist-index."""
        found: list[tuple[int, int]] = []
        for ticket, user in self._queue.items():
            if len(found) == count:
                break
            found.append((user, ticket))
        return found
