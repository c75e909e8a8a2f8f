"""One writer per event: registrations admitted in arrival order, a batch per transaction.

DynamoDB cancels a transaction that meets another one on the same item, so many requests writing
one event's counters at once mostly fail and retry (on AWS; DynamoDB Local never shows it). Here
a request first tries to become the event's writer (a lease on the event item). The writer admits
with one TransactWriteItems per batch of up to 99 requests: the event's counters once, and a
registration row per request. Everyone else puts their request in the event's admission queue
and waits for the writer's answer, taking over the lease if it falls free. A request that finds
the queue empty while holding the lease is admitted directly, in one transaction that also gives
the lease back: at low load that is one lease write and one two-item transaction.

Every batch is conditioned on the counts the writer read and on still holding the lease, so the
lease decides who writes, never whether the counts stay exact.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from event_core import business_metrics, windows
from event_core.clock import now_iso
from event_core.errors import (
    AlreadyRegistered,
    Busy,
    DomainError,
    EventFull,
    EventNotFound,
    EventNotOpen,
    RegistrationClosed,
    RegistrationNotOpenYet,
)
from event_core.ids import new_id
from event_core.models import dates
from event_core.models.events import OPEN_STATUS
from event_core.store import admission, events, registrations
from event_core.store.admission import QueuedRequest
from event_core.store.events import StoredEvent
from event_core.store.registrations import REGISTERED, WAITLISTED, StoredRegistration
from event_core.store.retry import StateChanged, with_retries
from event_core.store.transactions import TransactionCancelled, transact
from event_core.waitlist import Filling, due_for, heads_of, promotions_due

T = TypeVar("T")

MAX_ACTIONS = 100  # TransactWriteItems' limit: the event's update and up to 99 requests
LEASE_SECONDS = 1.0  # renewed by every batch; a writer that died frees the event after this
REFUSALS: dict[str, type[DomainError]] = {
    admission.FULL: EventFull,
    admission.NOT_OPEN: EventNotOpen,
    admission.DUPLICATE: AlreadyRegistered,
    admission.NOT_YET_OPEN: RegistrationNotOpenYet,
    admission.CLOSED: RegistrationClosed,
}


class LeaseLost(Exception):
    """This writer's lease ran out and another writer took the event."""


@dataclass(frozen=True, slots=True)
class Placed:
    """A request admitted: its registration row as written, and its place in line if waiting."""

    registration: StoredRegistration
    position: int | None


Decision = Placed | str  # a place, or the outcome of a refusal (admission.FULL, ...)


def refusal(outcome: str) -> DomainError:
    return REFUSALS[outcome]()


@dataclass
class Batch:
    """What one transaction does, decided in arrival order against the counts read."""

    registered: int
    waiting: int
    next_ticket: int
    offered: int = 0
    filling: Filling = field(default_factory=Filling)  # the waitlist's head, promoted or offered spots
    placed: list[tuple[QueuedRequest, Placed]] = field(default_factory=list)
    refused: list[tuple[QueuedRequest, str]] = field(default_factory=list)


def plan(
    stored: StoredEvent,
    requests: list[QueuedRequest],
    now: str,
    existing: dict[str, StoredRegistration],
    heads: list[StoredRegistration] | None = None,
) -> Batch:
    """First the waitlist's `heads` take the spots that are free (people waiting come first;
    promoted, or in offer mode offered them), then each request is decided as if it came alone,
    in order: a spot neither taken nor offered while nobody waits,
    else the end of the waitlist, else refused; a person who already holds a place (`existing`,
    or earlier in this batch) is refused as a duplicate, and one that arrived outside the
    registration window as such (its arrival counts, not when it is admitted: a request queued
    before the close is admitted after it). Stops where the transaction would be full."""
    event = stored.event
    window = windows.registration_of(event)
    batch = Batch(event.registeredCount, event.waitlistCount, stored.waitlist_seq_next, event.offeredCount)
    batch.filling = heads_of(heads or [], now, mode=event.waitlistMode, hold_seconds=event.offerHoldSeconds)
    batch.registered += batch.filling.promoted
    batch.offered += batch.filling.offered
    batch.waiting -= len(batch.filling.user_ids)
    holders = set(existing)
    actions = 1 + len(batch.filling.actions)  # the event's update, the promotions or offers
    for request in requests:
        place: Placed | None = None
        outcome = admission.NOT_OPEN
        if request.user_id in holders:
            outcome = admission.DUPLICATE
        elif event.status != OPEN_STATUS:
            pass
        elif window.before(arrival := dates.instant(request.arrived_at)):
            outcome = admission.NOT_YET_OPEN
        elif window.after(arrival):
            outcome = admission.CLOSED
        elif batch.registered + batch.offered < event.capacity and batch.waiting == 0:
            place = Placed(_row(request, REGISTERED, now), None)
        elif event.waitlistEnabled:
            place = Placed(_row(request, WAITLISTED, now, batch.next_ticket), batch.waiting + 1)
        else:
            outcome = admission.FULL
        cost = 1 if place else _refusal_cost(request, outcome)
        if actions + cost > MAX_ACTIONS:
            break
        actions += cost
        holders.add(request.user_id)
        if place is None:
            batch.refused.append((request, outcome))
        elif place.position is None:
            batch.placed.append((request, place))
            batch.registered += 1
        else:
            batch.placed.append((request, place))
            batch.waiting += 1
            batch.next_ticket += 1
    return batch


def _due(stored: StoredEvent, batch: Batch) -> int:
    event = stored.event
    return promotions_due(
        capacity=event.capacity,
        registered=batch.registered,
        offered=batch.offered,
        waiting=batch.waiting,
        status=event.status,
    )


def _heads(stored: StoredEvent) -> list[StoredRegistration]:
    """The people waiting who take the spots free now (a capacity raise, a leave that could not
    promote), as many as one transaction holds; StateChanged if fewer wait than the count says."""
    due = due_for(stored.event)
    heads = registrations.waitlist_head(stored.event.eventId, due)
    if len(heads) < due:
        raise StateChanged()
    return heads


def _refusal_cost(request: QueuedRequest, outcome: str) -> int:
    return len(_refusal_actions(request, outcome))


def _refusal_actions(request: QueuedRequest, outcome: str) -> list[dict[str, Any]]:
    """A queued request's refusal is written down for it to read; a direct one is told at once."""
    return admission.refuse_action(request, outcome) if request.key else []


def _row(request: QueuedRequest, status: str, now: str, ticket: int | None = None) -> StoredRegistration:
    return StoredRegistration(request.event_id, request.user_id, status, now, ticket, request.key or None)


def _event_update(
    stored: StoredEvent, owner: str, batch: Batch, *, release: bool, backlog: bool
) -> dict[str, Any]:
    until = None if release else admission.now_ms() + int(LEASE_SECONDS * 1000)
    return events.admit_batch_action(
        stored,
        owner,
        registered=batch.registered,
        waiting=batch.waiting,
        offered=batch.offered,
        next_ticket=batch.next_ticket,
        renew_until=until,
        backlogged=backlog,
    )


def admit(
    event_id: str, owner: str, requests: list[QueuedRequest], *, release: bool = False, backlog: bool = False
) -> dict[str, Decision]:
    """Write one batch as the event's writer. Returns the decision for each request it decided,
    by queue key; requests beyond one transaction's room are left for the next batch.

    Raises StateChanged when the event moved since it was read (another write landed),
    LeaseLost when another writer holds the event, EventNotFound when it is gone. `release`
    gives the lease back in the same transaction (the direct path: nobody queued); `backlog`
    tells new requests that more are queued than this batch holds, so they need not wait.
    """
    stored = events.get(event_id)
    if stored is None:
        raise EventNotFound()
    if stored.writer != owner:
        raise LeaseLost()
    notes = [r for r in requests if r.promotions]
    requests = [r for r in requests if not r.promotions]
    existing = registrations.get_many(event_id, [r.user_id for r in requests])
    done = [r for r in requests if r.key and r.key == getattr(existing.get(r.user_id), "queue_key", None)]
    if done:  # admitted by a batch whose queue clean-up did not run
        admission.remove(done)
        requests = [r for r in requests if r not in done]
    now = now_iso()
    batch = plan(stored, requests, now, existing, _heads(stored))
    actions: list[dict[str, Any]] = [_event_update(stored, owner, batch, release=release, backlog=backlog)]
    actions += batch.filling.actions
    actions += [registrations.put_action(place.registration) for _, place in batch.placed]
    for request, outcome in batch.refused:
        actions += _refusal_actions(request, outcome)
    try:
        transact(actions)
    except TransactionCancelled:
        raise StateChanged() from None  # read again: the counts, the lease or a row moved
    business_metrics.filled(batch.filling.promoted, batch.filling.offered)
    filled = not _due(stored, batch)
    admission.remove([request for request, _ in batch.placed if request.key] + (notes if filled else []))
    decided: dict[str, Decision] = {request.key: place for request, place in batch.placed}
    decided.update({request.key: outcome for request, outcome in batch.refused})
    return decided


def drain(event_id: str, owner: str, *, seconds: float) -> None:
    """As the event's writer, admit the queue in order until it is empty or `seconds` pass, then
    give the lease back. A batch that lost a race is re-read and retried; if DynamoDB stays busy
    the lease is given back and whoever is waiting (or the queue's stream) carries on."""
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline and with_retries(partial(_next_batch, event_id, owner)):
            pass
    except (EventNotFound, LeaseLost, Busy):
        return
    finally:
        admission.release_lease(event_id, owner)


def _next_batch(event_id: str, owner: str) -> bool:
    """Admit the head of the queue; False when nobody is queued."""
    waiting, more = admission.head(event_id, MAX_ACTIONS - 1)
    if not waiting:
        return False
    admit(event_id, owner, waiting, backlog=more)
    return True


def keep_admitting(event_id: str, *, seconds: float) -> None:
    """Admit the event's queue until it is empty, as its writer or by waiting for the writer that
    holds the lease (its lease runs out if it died). Raises Busy if people are still queued after
    `seconds`: the caller (the queue's stream) is retried."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        waiting, _ = admission.head(event_id, 1)
        if not waiting:
            return
        owner = new_id()
        if admission.take_lease(event_id, owner, LEASE_SECONDS):
            drain(event_id, owner, seconds=deadline - time.monotonic())
        elif events.get(event_id) is None:
            # Queued after the event's delete had purged its queue: nobody can be admitted.
            registrations.purge_queue(event_id)
            return
        else:
            time.sleep(0.05)
    if admission.head(event_id, 1)[0]:
        raise Busy()


def as_writer(event_id: str, action: Callable[[], T], *, wait_seconds: float) -> T:
    """Run `action` (a write to the event's counters) as the event's writer, so it does not
    conflict with the writer's batches: wait for the lease (reading, not writing, while it is
    held), run, give it back. If the lease stays held for `wait_seconds` (a rush being
    admitted), run without it: the action's own conditions and retries keep it exact."""
    owner = new_id()
    deadline = time.monotonic() + wait_seconds
    delay = 0.02
    while not admission.take_lease(event_id, owner, LEASE_SECONDS):
        stored = events.get(event_id)
        if stored is None or time.monotonic() >= deadline:
            return action()
        if stored.writer is not None and stored.writer_until >= admission.now_ms():
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
    try:
        return action()
    finally:
        admission.release_lease(event_id, owner)
