"""The new design, one writer per event: requests queue, the lease holder admits them in batches.

Follows `event_core.registration` and `event_core.admission` operation by operation:
- register: BatchGetItem snapshot, then, unless it showed a live lease, `take_lease`
  (UpdateItem on the event item, conditioned on a free or expired lease; it meets a
  transaction on the item as TransactionConflictException).
  With the lease and nobody queued (Query of the queue's head): `admit` alone, the lease given
  back in its transaction, under `with_retries`. With the lease and people queued: enqueue
  (PutItem), drain for the wait, then await. Without the lease: enqueue; then, if the snapshot
  showed the event `backlogged` under an unexpired lease, 202 at once, else await;
- admit (the writer): GetItem of the event, BatchGetItem of the batch's registration rows (to
  refuse duplicates), one TransactWriteItems [event, a row per request] conditioned on the lease
  and the counts read, setting `backlogged` when the queue's head Query hit its Limit;
- drain: Query of up to 99 queued requests, admit, BatchWriteItem (25 a call) taking them off the
  queue; again until the queue is empty or the time is up, then `release_lease` (UpdateItem,
  retried after a TransactionConflictException up to RELEASE_ATTEMPTS times with full jitter);
- await: BatchGetItem of [event, own row, own queue item, own outcome] every 20 ms doubling to
  250 ms; the row written is the answer (201; a waiting position costs a COUNT Query); until
  the wait is over a free lease is taken and drained for what is left of it; then 202 and a
  status poll (GET) every Retry-After;
- the queue's stream: an insert wakes the admission function within a shard poll (0-250 ms),
  one invocation at a time, which takes the lease whenever free until the queue is empty;
- unregister: `as_writer` around today's path (`Direct`): take the lease (reading the event and
  backing off 20-250 ms while it is held), unregister, give it back; without the lease after
  LEAVE_WAIT_SECONDS, today's path as it is (it then meets the writer's transactions).
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
from collections.abc import Callable
from functools import partial
from typing import cast

from bench.opening.direct import UNITS_PER_ITEM, Direct, Reply
from bench.opening.items import (
    EVENT_ITEM,
    QUEUE,
    REGISTERED,
    WAITLISTED,
    Counts,
    Row,
    event_key,
    registration_key,
)
from bench.opening.process import Process, Runner
from bench.opening.retries import ATTEMPTS, RETRY_AFTER_S, backoff
from bench.opening.simulation import Simulation
from dynamodb_model.inflight import Hold, ItemKey
from dynamodb_model.kinds import Kind
from event_core import admission, registration
from event_core.settings import Settings
from event_core.store import admission as store

MAX_BATCH = admission.MAX_ACTIONS - 1  # the Query's Limit: the event's update takes one action
LEASE_S = admission.LEASE_SECONDS
WAIT_S = cast(
    "float", next(f.default for f in dataclasses.fields(Settings) if f.name == "admission_wait_seconds")
)
FIRST_POLL_S = registration.FIRST_POLL_SECONDS
MAX_POLL_S = registration.MAX_POLL_SECONDS
LEAVE_WAIT_S = registration.LEAVE_WAIT_SECONDS
LEAVE_FIRST_POLL_S, LEAVE_MAX_POLL_S = 0.02, 0.25  # as_writer's pauses while the lease is held
RELEASE_ATTEMPTS = store.RELEASE_ATTEMPTS
REMOVE_CHUNK = 25  # BatchWriteItem's limit (store.admission.remove)
ADMIT_S = 50.0  # functions/admission/app.py ADMIT_SECONDS: keep_admitting's budget
TAKE_AGAIN_S = 0.05  # keep_admitting's pause when the lease is held
STREAM_POLL_S = 0.25  # Lambda polls a stream shard four times a second


class Step(enum.Enum):
    """What an attempt under with_retries came to, when it did not decide anyone."""

    EMPTY = "nobody queued"
    RETRY = "StateChanged: cancelled, or the counts moved"
    LEASE_LOST = "LeaseLost"
    BUSY = "Busy: with_retries gave up"


Decisions = dict[int, tuple[Row, int | None]]  # user -> (row written, waiting position planned)


class Admission:
    name = "admission queue (new)"

    def __init__(self, sim: Simulation, *, stream: bool = True, wait_s: float = WAIT_S) -> None:
        self._sim = sim
        self._stream = stream  # False: no stream (in-process); `finish` admits what is left
        self._wait_s = wait_s
        self._run = Runner(sim.clock)
        self._today = Direct(sim)  # unregistering is unchanged
        self._tally = sim.tally
        self._lat = sim.latencies
        self._owners = itertools.count(1)
        self._writer: int | None = None  # the event item's writer, writerUntil and backlogged
        self._writer_until = 0.0
        self._backlogged = False
        self._queue: dict[int, None] = {}  # queued users, in arrival-key order
        self._invocation_due = False  # a stream invocation is scheduled...
        self._invoked = False  # ...or running
        self._records_since = False  # inserts while it runs: Lambda invokes again after

    def register(self, user: int) -> None:
        self._run.start(self._register(user))

    def unregister(self, user: int) -> None:
        self._run.start(self._leave(user))

    def finish(self) -> None:
        """Without a stream, what is still queued is admitted once at the end (keep_admitting)."""
        if not self._stream and self._queue:
            self._run.start(self._invocation())

    def hold_lease(self, owner: int, until: float, *, backlogged: bool = False) -> None:
        """Set the event item's lease attributes (a writer elsewhere, as a test arranges it)."""
        self._writer, self._writer_until, self._backlogged = owner, until, backlogged

    def lease_held(self, at: float) -> bool:
        return self._writer is not None and self._writer_until >= at

    # --- the register request -----------------------------------------------------------------

    def _register(self, user: int) -> Process[None]:
        sim = self._sim
        exists = sim.rows.get(user) is not None
        backlogged, until = self._backlogged, self._writer_until
        busy = self._writer is not None and until > sim.now  # as read: no lease write to find out
        yield self._read()  # snapshot.read: event, registration, user
        if exists:
            sim.refused(user)  # 409 AlreadyRegistered
            return
        owner = next(self._owners)
        if not busy and (yield from self._take_lease(owner)):
            if (yield from self._admit_directly(user, owner)):
                return
            yield from self._enqueue(user)
            yield from self._drain(owner, self._wait_s)
        else:
            yield from self._enqueue(user)
            if backlogged and until > sim.now:  # a rush: more queued than a batch holds
                self._pending(user)
                return
        yield from self._await(user)

    def _pending(self, user: int) -> None:
        """202: the person follows their request's status from now on."""
        self._sim.accepted(user)
        if self._stream:
            self._run.start(self._follow(user))

    def _admit_directly(self, user: int, owner: int) -> Process[bool]:
        """True when answered: admitted alone, the lease given back in the same transaction."""
        queued = bool(self._queue)
        yield self._read()  # head, Limit 1
        if queued:
            return False
        result = yield from self._with_retries(partial(self._admit, owner, [user], release=True))
        if result is Step.LEASE_LOST:
            return False
        if isinstance(result, Step):  # Busy: the lease is given back, 503
            yield from self.release(owner)
            self._sim.busy("register", user)
            return True
        row, position = result[user]
        self._sim.registered(user, row.status, position)
        return True

    def _await(self, user: int) -> Process[None]:
        sim = self._sim
        deadline = sim.now + self._wait_s
        delay = FIRST_POLL_S
        while True:
            row, queued = sim.rows.get(user), user in self._queue
            writer, until = self._writer, self._writer_until
            yield self._read()  # request_state: event, row, queue item, outcome
            if row is not None:
                position, read_at = yield from self._position(row)
                sim.registered(user, row.status, position, read_at=read_at)
                return
            if sim.now >= deadline:
                self._pending(user)
                return
            if queued and (writer is None or until < sim.now):
                owner = next(self._owners)
                if (yield from self._take_lease(owner)):
                    yield from self._drain(owner, max(deadline - sim.now, 0.1))
                    continue
            yield delay
            delay = min(delay * 2, MAX_POLL_S)

    def _follow(self, user: int) -> Process[None]:
        """After a 202: GET the request's status every Retry-After until it is decided."""
        sim = self._sim
        while True:
            yield RETRY_AFTER_S
            sim.polling()
            row = sim.rows.get(user)
            yield self._read()  # request_state
            if row is None:
                sim.still_pending()
                continue
            position, read_at = yield from self._position(row)
            sim.registered(user, row.status, position, read_at=read_at)
            return

    def _position(self, row: Row) -> Process[tuple[int | None, float]]:
        """A waiting row's place in line: a COUNT Query of the waitlist-index."""
        at = self._sim.now
        if row.ticket is None:
            return None, at
        ahead = self._sim.rows.ahead(row.ticket)
        yield self._read()
        return ahead + 1, at

    # --- the writer ----------------------------------------------------------------------------

    def _drain(self, owner: int, seconds: float) -> Process[None]:
        deadline = self._sim.now + seconds
        while self._sim.now < deadline:
            result = yield from self._with_retries(partial(self._next_batch, owner))
            if isinstance(result, Step):  # nobody queued, LeaseLost or Busy
                break
        yield from self.release(owner)

    def _next_batch(self, owner: int) -> Process[Decisions | Step]:
        users = list(itertools.islice(self._queue, MAX_BATCH))
        # LastEvaluatedKey: DynamoDB returns it whenever the Limit stopped the Query
        more = len(self._queue) >= MAX_BATCH
        yield self._read()  # head, Limit 99
        if not users:
            return Step.EMPTY
        return (yield from self._admit(owner, users, release=False, backlog=more))

    def _admit(
        self, owner: int, users: list[int], *, release: bool, backlog: bool = False
    ) -> Process[Decisions | Step]:
        """admission.admit: GetItem of the event, BatchGetItem of the batch's rows, then one
        transaction for the whole batch."""
        sim = self._sim
        event = sim.event
        seen, writer = event.counts, self._writer
        yield self._read()  # events.get
        if writer != owner:
            return Step.LEASE_LOST
        yield self._read()  # registrations.get_many: nobody queued twice here, none found
        registered, waiting, ticket = seen
        decided: Decisions = {}
        for user in users:  # plan(): in arrival order, as if each came alone
            if registered < event.capacity and waiting == 0:
                decided[user] = (Row(REGISTERED), None)
                registered += 1
            else:
                decided[user] = (Row(WAITLISTED, ticket), waiting + 1)
                waiting += 1
                ticket += 1
        keys = (event_key(), *(registration_key(u) for u in users))
        until = sim.now + LEASE_S  # writerUntil, as the transaction is sent
        if not (yield from self._transact(keys)):
            return Step.RETRY
        if self._writer != owner or event.counts != seen:  # the update's conditions, at commit
            self._tally.condition_failures += 1
            return Step.RETRY
        now = sim.now
        event.write(now, Counts(registered, waiting, ticket))
        for user, (row, _) in decided.items():
            sim.rows.put(user, row)
            sim.placed(user)
        if release:
            self._writer, self._backlogged = None, False
        else:
            self._writer_until, self._backlogged = until, backlog
            yield from self._remove(users)
        return decided

    def _remove(self, users: list[int]) -> Process[None]:
        """BatchWriteItem deletes of the admitted queue items, 25 a call, one call after another."""
        for start in range(0, len(users), REMOVE_CHUNK):
            chunk = users[start : start + REMOVE_CHUNK]
            self._tally.batch_writes += 1
            self._sim.bill(QUEUE, len(chunk))
            yield self._lat.batch_write
            for user in chunk:
                self._queue.pop(user, None)

    def _with_retries(self, attempt: Callable[[], Process[Decisions | Step]]) -> Process[Decisions | Step]:
        for number in range(ATTEMPTS):
            result = yield from attempt()
            if result is not Step.RETRY:
                return result
            yield backoff(self._sim.rng, number)
        return Step.BUSY

    # --- the queue's stream ----------------------------------------------------------------------

    def _enqueue(self, user: int) -> Process[None]:
        """PutItem of the request's queue item (its own key: it never meets anything)."""
        self._tally.single_writes += 1
        self._sim.bill(QUEUE, 1)
        yield self._lat.single_write
        self._queue[user] = None
        self._on_insert()

    def _on_insert(self) -> None:
        if not self._stream:
            return
        if self._invoked:
            self._records_since = True
        elif not self._invocation_due:
            self._invocation_due = True
            self._run.start_at(self._sim.now + self._sim.rng.uniform(0, STREAM_POLL_S), self._invocation())

    def _invocation(self) -> Process[None]:
        """The admission function: keep_admitting until the queue is empty."""
        sim = self._sim
        self._invocation_due, self._invoked, self._records_since = False, True, False
        sim.continuation(running=True)
        deadline = sim.now + ADMIT_S
        while sim.now < deadline:
            queued = bool(self._queue)
            yield self._read()  # head, Limit 1
            if not queued:
                break
            owner = next(self._owners)
            if (yield from self._take_lease(owner)):
                yield from self._drain(owner, deadline - sim.now)
            else:
                yield TAKE_AGAIN_S
        sim.continuation(running=False)
        self._invoked = False
        if self._records_since:
            self._on_insert()

    # --- DynamoDB calls ------------------------------------------------------------------------

    def _read(self) -> float:
        """A consistent read (GetItem, BatchGetItem, Query): the caller took the state at its start."""
        self._tally.reads += 1
        return self._lat.read

    def _take_lease(self, owner: int) -> Process[bool]:
        asked_at = self._sim.now
        if not (yield from self._lease_write()):
            return False  # TransactionConflictException: its writer is mid-transaction
        if self._writer is not None and self._writer_until >= asked_at:
            return False  # ConditionalCheckFailed (billed all the same)
        self._writer, self._writer_until = owner, asked_at + LEASE_S
        return True

    def release(self, owner: int) -> Process[None]:
        """release_lease: a write that meets a transaction pauses (full jitter) and tries again,
        RELEASE_ATTEMPTS in all; then the lease is left to run out by itself."""
        for number in range(RELEASE_ATTEMPTS):
            if (yield from self._lease_write()):
                if self._writer == owner:
                    self._writer, self._backlogged = None, False
                return
            self._tally.release_conflicts += 1
            if number + 1 < RELEASE_ATTEMPTS:
                yield backoff(self._sim.rng, number)
        self._tally.releases_given_up += 1

    # --- unregister, as the event's writer -------------------------------------------------------

    def _leave(self, user: int) -> Process[None]:
        """admission.as_writer around today's unregister path."""
        sim = self._sim
        owner = next(self._owners)
        deadline = sim.now + LEAVE_WAIT_S
        delay = LEAVE_FIRST_POLL_S
        while not (yield from self._take_lease(owner)):
            writer, until = self._writer, self._writer_until
            yield self._read()  # events.get
            if sim.now >= deadline:
                self._tally.leaves_without_lease += 1
                self._today.unregister(user)
                return
            if writer is not None and until >= sim.now:
                yield delay
                delay = min(delay * 2, LEAVE_MAX_POLL_S)
        self._today.unregister(user, then=partial(self._after_leaving, owner))

    def _after_leaving(self, owner: int, reply: Reply) -> None:
        self._run.start(self._give_back(owner, reply))

    def _give_back(self, owner: int, reply: Reply) -> Process[None]:
        """as_writer's `finally`: the lease is given back before the answer."""
        yield from self.release(owner)
        reply()

    def _lease_write(self) -> Process[bool]:
        """UpdateItem on the event item: False when it met a transaction holding the item."""
        tally = self._tally
        tally.single_writes += 1
        self._sim.bill(EVENT_ITEM, 1)  # a failed condition is billed too
        hold = self._sim.inflight.begin(Kind.SINGLE_WRITE, (event_key(),))
        if not isinstance(hold, Hold):
            tally.lease_conflicts += 1
            yield self._lat.rejected
            return False
        yield self._lat.single_write
        self._sim.inflight.end(hold)
        return True

    def _transact(self, keys: tuple[ItemKey, ...]) -> Process[bool]:
        """TransactWriteItems: holds its items for the modeled latency, or is cancelled at once."""
        tally = self._tally
        tally.transactions += 1
        self._sim.bill_items(keys, UNITS_PER_ITEM)
        hold = self._sim.inflight.begin(Kind.TRANSACT_WRITE, keys)
        if not isinstance(hold, Hold):
            tally.cancelled += 1
            yield self._lat.rejected
            return False
        yield self._lat.transact_write
        self._sim.inflight.end(hold)
        return True
