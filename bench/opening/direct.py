"""Today's design, direct: every request writes the event item in its own transaction.

Follows `event_core.registration` operation by operation:
- register: BatchGetItem (event, registration, user; consistent), then TransactWriteItems of
  [ConditionCheck user, Put registration, Update event] with the conditions `_register_once` puts
  on the counts it read;
- unregister: BatchGetItem (event, registration), for a leaver whose spot is due to someone
  waiting a Query of the waitlist head, then TransactWriteItems of [Delete registration, Update
  event, Update each promoted row];
each attempt under `with_retries`: a conflict (cancelled while another transaction holds an
item) or a failed condition pauses a full-jitter backoff and tries again; after the last attempt
the answer is 503.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from bench.opening.items import (
    REGISTERED,
    WAITLISTED,
    Counts,
    Row,
    event_key,
    registration_key,
    user_key,
)
from bench.opening.retries import ATTEMPTS, CEILINGS_S
from bench.opening.simulation import Request, Simulation
from dynamodb_model.inflight import Hold, ItemKey
from dynamodb_model.kinds import Kind
from event_core.models.events import OPEN_STATUS
from event_core.waitlist import promotions_due

TRANSACT = Kind.TRANSACT_WRITE
NOTHING_SEEN = Counts(0, 0, 0)
UNITS_PER_ITEM = 2  # TransactWriteItems: prepare and commit (dynamodb_model.stats)
Reply = Callable[[], None]  # gives a request its answer (Simulation.left, refused, busy)
Then = Callable[[Reply], None]  # what runs before the answer (as_writer: give the lease back)


@dataclass(slots=True)
class _Try:
    """One request under with_retries: which attempt it is on and what that attempt read."""

    kind: Request
    user: int
    number: int = 0
    read_at: float = 0.0
    seen: Counts = NOTHING_SEEN
    row: Row | None = None
    spot: bool = False
    heads: list[tuple[int, int]] = field(default_factory=list)  # (user, ticket) to promote
    keys: tuple[ItemKey, ...] = ()  # the items of its TransactWriteItems, in action order
    hold: Hold | None = None
    then: Then | None = None  # an unregister run by the new design's writer: answered through it


class Direct:
    name = "direct (today)"

    def __init__(self, sim: Simulation) -> None:
        self._sim = sim
        # Millions of attempts go through these: looked up once.
        self._at = sim.clock.at
        self._begin = sim.inflight.begin
        self._random = sim.rng.random
        self._tally = sim.tally
        self._read_s = sim.latencies.read
        self._transact_s = sim.latencies.transact_write
        self._rejected_s = sim.latencies.rejected

    def register(self, user: int) -> None:
        attempt = _Try("register", user, keys=(user_key(user), registration_key(user), event_key()))
        self._start(attempt, self._sim.now)

    def unregister(self, user: int, then: Then | None = None) -> None:
        """`then`, if given, runs once the unregister is decided and gives the answer itself."""
        self._start(_Try("unregister", user, then=then), self._sim.now)

    def finish(self) -> None:
        pass

    # --- one attempt ------------------------------------------------------------------------

    def _start(self, attempt: _Try, at: float) -> None:
        """A consistent BatchGetItem starts at `at`; its answer is the items as of then."""
        tally = self._tally
        tally.attempts += 1
        tally.reads += 1
        attempt.read_at = at
        if attempt.kind == "register":
            self._at(at + self._read_s, self._send_registration, attempt)
        else:
            self._at(at, self._read_leaver, attempt)

    def _read_leaver(self, attempt: _Try) -> None:
        """The leaver's row as of the read's start (a promotion may move it)."""
        attempt.row = self._sim.rows.get(attempt.user)
        self._sim.clock.at(attempt.read_at + self._sim.latencies.read, self._read_for_leaving, attempt)

    def _send_registration(self, attempt: _Try) -> None:
        sim = self._sim
        event = sim.event
        seen = event.read(attempt.read_at)
        user = attempt.user
        if sim.rows.get(user) is not None:  # only this request writes the person's row
            sim.refused(user)  # 409 AlreadyRegistered
            return
        if seen.registered < event.capacity and seen.waiting == 0:
            attempt.spot = True
        elif event.waitlist:
            attempt.spot = False
        else:
            sim.refused(user)  # 409 EventFull
            return
        attempt.seen = seen
        self._transact(attempt, self._commit_registration)

    def _read_for_leaving(self, attempt: _Try) -> None:
        """The snapshot is back; for a leaver whose spot is due to someone, Query the queue's head."""
        sim = self._sim
        attempt.seen = seen = sim.event.read(attempt.read_at)
        row = attempt.row
        attempt.heads = []
        if row is None:
            self._reply(attempt, partial(sim.refused, attempt.user))  # 404 NotRegistered
            return
        due = 0
        if row.status == REGISTERED:
            due = promotions_due(
                capacity=sim.event.capacity,
                registered=seen.registered - 1,
                waiting=seen.waiting,
                status=OPEN_STATUS,
            )
        if not due:
            self._send_leaving(attempt)
            return
        sim.tally.reads += 1
        heads = sim.rows.head(due)  # a consistent Query of the waitlist-index, started now
        if len(heads) < due:
            self._failed(attempt, sim.now + sim.latencies.read)  # promotion_actions: StateChanged
            return
        attempt.heads = heads
        sim.clock.at(sim.now + sim.latencies.read, self._send_leaving, attempt)

    def _send_leaving(self, attempt: _Try) -> None:
        heads = (registration_key(u) for u, _ in attempt.heads)
        attempt.keys = (registration_key(attempt.user), event_key(), *heads)
        self._transact(attempt, self._commit_leaving)

    def _transact(self, attempt: _Try, commit: Callable[[_Try], None]) -> None:
        """TransactWriteItems: holds its items for the modeled latency, or is cancelled at once."""
        tally = self._tally
        keys = attempt.keys
        tally.transactions += 1
        self._sim.bill_items(keys, UNITS_PER_ITEM)
        hold = self._begin(TRANSACT, keys)
        now = self._sim.clock.now
        if isinstance(hold, Hold):
            attempt.hold = hold
            self._at(now + self._transact_s, commit, attempt)
        else:
            tally.cancelled += 1
            self._failed(attempt, now + self._rejected_s)

    def _release(self, attempt: _Try) -> None:
        assert attempt.hold is not None  # noqa: S101 - set by _transact before the commit runs
        self._sim.inflight.end(attempt.hold)
        attempt.hold = None

    # --- the end of a transaction: conditions against the item as it is now --------------------

    def _commit_registration(self, attempt: _Try) -> None:
        sim = self._sim
        self._release(attempt)
        event = sim.event
        now, seen = event.counts, attempt.seen
        if attempt.spot:
            ok = now.registered < event.capacity and now.waiting == 0
        else:
            ok = (
                now.seq_next == seen.seq_next
                and now.waiting == seen.waiting
                and (now.registered >= event.capacity or now.waiting > 0)
            )
        if not ok:
            sim.tally.condition_failures += 1
            self._failed(attempt, sim.now)
            return
        user = attempt.user
        if attempt.spot:
            event.write(sim.now, now._replace(registered=now.registered + 1))
            sim.rows.put(user, Row(REGISTERED))
            sim.registered(user, REGISTERED, None)
        else:
            event.write(sim.now, now._replace(waiting=now.waiting + 1, seq_next=now.seq_next + 1))
            sim.rows.put(user, Row(WAITLISTED, seen.seq_next))
            sim.registered(user, WAITLISTED, seen.waiting + 1)

    def _commit_leaving(self, attempt: _Try) -> None:
        sim = self._sim
        self._release(attempt)
        event, rows = sim.event, sim.rows
        now, seen, row = event.counts, attempt.seen, attempt.row
        ok = rows.get(attempt.user) == row  # the Delete's condition: still exactly as read
        if row is not None and row.status == WAITLISTED:
            ok = ok and now.waiting >= 1
            after = now._replace(waiting=now.waiting - 1)
        elif attempt.heads:
            due = len(attempt.heads)
            ok = ok and now.registered == seen.registered and now.waiting == seen.waiting
            ok = ok and all(rows.get(u) == Row(WAITLISTED, t) for u, t in attempt.heads)
            after = now._replace(registered=now.registered + due - 1, waiting=now.waiting - due)
        else:
            ok = ok and now.registered >= 1 and now.waiting == 0
            after = now._replace(registered=now.registered - 1)
        if not ok:
            sim.tally.condition_failures += 1
            self._failed(attempt, sim.now)
            return
        event.write(sim.now, after)
        rows.delete(attempt.user)
        promoted = [u for u, _ in attempt.heads]
        for u in promoted:
            rows.promote(u)
        self._reply(attempt, partial(sim.left, attempt.user, promoted, written_at=sim.now))

    def _reply(self, attempt: _Try, reply: Reply) -> None:
        if attempt.then is None:
            reply()
        else:
            attempt.then(reply)

    # --- with_retries ------------------------------------------------------------------------

    def _failed(self, attempt: _Try, at: float) -> None:
        """StateChanged at `at`: pause, then the next attempt, or 503 after the last one."""
        number = attempt.number
        at += self._random() * CEILINGS_S[number]  # retries.backoff, inlined
        attempt.number = number = number + 1
        if number < ATTEMPTS:
            self._start(attempt, at)
        elif attempt.kind == "register":
            self._at(at, self._busy_registering, attempt.user)
        else:
            self._at(at, self._busy_leaving, attempt)

    def _busy_registering(self, user: int) -> None:
        self._sim.busy("register", user)

    def _busy_leaving(self, attempt: _Try) -> None:
        self._reply(attempt, partial(self._sim.busy, "unregister", attempt.user))
