"""Registering and unregistering: atomic, first come first served, never oversold.

A registration goes through the event's one writer (`admission`): directly when nobody else is
registering for that event, through its admission queue when others are, so that any number of
people registering at once are admitted in arrival order, a batch per transaction, without the
transactions conflicting. A request whose answer is not ready within the wait is answered with
its place in the queue (`RegistrationPending`), and the queue is admitted all the same.

Unregistering is one TransactWriteItems that also updates the event's counters under conditions
on the state it read, promoting the head of the waitlist in the same write (in offer mode:
offering them the spot); a write that lost a race re-reads and retries. Leaving while holding an
offer ends the offer (`offers.end_offer`): declined, or expired if its time is over.
"""

from __future__ import annotations

import time
from functools import partial

from event_core import admission, business_metrics, clock, offers, windows
from event_core.clock import now_iso
from event_core.errors import (
    AlreadyRegistered,
    CheckedInCannotLeave,
    EventFull,
    EventNotFound,
    EventNotOpen,
    NotRegistered,
    UserNotFound,
)
from event_core.ids import is_valid_id, new_id
from event_core.models.events import OPEN_STATUS
from event_core.models.registrations import Registration, RegistrationPending, Unregistration
from event_core.places import public
from event_core.settings import get_settings
from event_core.store import admission as queue
from event_core.store import events, registrations, snapshot
from event_core.store.admission import QueuedRequest
from event_core.store.events import StoredEvent
from event_core.store.registrations import OFFERED, WAITLISTED
from event_core.store.retry import StateChanged, with_retries
from event_core.store.transactions import TransactionCancelled, transact
from event_core.waitlist import Filling, free_spot, position

FIRST_POLL_SECONDS = 0.02
MAX_POLL_SECONDS = 0.25
LEAVE_WAIT_SECONDS = 1.0  # how long leaving waits for the writer's lease before going without it


def register(event_id: str, user_id: str) -> Registration | RegistrationPending:
    """Give the user a spot, or a place at the end of the waitlist (or, when the answer takes
    longer than the wait, their place in the admission queue)."""
    if not is_valid_id(event_id):
        raise EventNotFound()
    try:
        placed = _register(event_id, user_id)
    except EventFull:
        business_metrics.rejected_full()
        raise
    if isinstance(placed, Registration):
        business_metrics.placed(waitlisted=placed.status == WAITLISTED)
    return placed


def _register(event_id: str, user_id: str) -> Registration | RegistrationPending:
    seen = _check(event_id, user_id)
    owner = new_id()
    busy = seen.writer is not None and seen.writer_until > queue.now_ms()  # no write to find out
    if not busy and queue.take_lease(event_id, owner, admission.LEASE_SECONDS):
        placed = _admit_directly(event_id, user_id, owner)
        if placed is not None:
            return placed
        request = with_retries(lambda: queue.enqueue(event_id, user_id, now_iso()))
        admission.drain(event_id, owner, seconds=get_settings().admission_wait_seconds)
    else:
        request = with_retries(lambda: queue.enqueue(event_id, user_id, now_iso()))
        if seen.backlogged and seen.writer_until > queue.now_ms():
            return _pending(request)  # a rush: the writer has more queued than a batch holds
    return _await(request)


def _check(event_id: str, user_id: str) -> StoredEvent:
    """Refuse at once what the writer would refuse: a missing event or user, a second place,
    a closed event or registration window, a full one without a waitlist (as of this
    consistent read)."""
    seen = snapshot.read(event_id, user_id, with_user=True)
    if seen.event is None:
        raise EventNotFound()
    if not seen.user_exists:
        raise UserNotFound()
    if seen.registration is not None:
        raise AlreadyRegistered()
    event = seen.event.event
    if event.status != OPEN_STATUS:
        raise EventNotOpen()
    windows.require_registration_open(event, clock.now())
    if event.registeredCount + event.offeredCount >= event.capacity and not event.waitlistEnabled:
        raise EventFull()
    return seen.event


def _admit_directly(event_id: str, user_id: str, owner: str) -> Registration | None:
    """As the writer with nobody queued: admit this request in one transaction that also gives
    the lease back. None (lease kept) when people are queued: they came first."""
    try:
        queued, _ = queue.head(event_id, 1)
        if queued:
            return None
        own = QueuedRequest(event_id, user_id, key="", arrived_at=now_iso())
        decided = with_retries(partial(admission.admit, event_id, owner, [own], release=True))
    except admission.LeaseLost:
        return None
    except BaseException:
        queue.release_lease(event_id, owner)
        raise
    decision = decided[own.key]
    if isinstance(decision, str):
        raise admission.refusal(decision)
    return public(decision.registration, decision.position)


def _await(request: QueuedRequest) -> Registration | RegistrationPending:
    """Wait for the writer's answer to a queued request, taking over as the writer whenever the
    lease is free, until the configured wait is over."""
    wait = get_settings().admission_wait_seconds
    deadline = time.monotonic() + wait
    delay = FIRST_POLL_SECONDS
    vanished = 0
    while True:
        state = snapshot.request_state(request.event_id, request.user_id, request.key)
        if (answer := _answer(state, request.key)) is not None:
            return answer
        # Neither queued, placed nor refused: a batch between its transaction and its queue
        # clean-up (read again), or, twice in a row, a queue purged with its event.
        vanished = 0 if state.queued else vanished + 1
        if state.event is None or vanished > 2:
            raise EventNotFound()  # deleted: its purge took the queue too
        if time.monotonic() >= deadline:
            return _pending(request)
        lease_free = state.event.writer is None or state.event.writer_until < queue.now_ms()
        if state.queued and lease_free:
            owner = new_id()
            if queue.take_lease(request.event_id, owner, admission.LEASE_SECONDS):
                admission.drain(request.event_id, owner, seconds=max(deadline - time.monotonic(), 0.1))
                continue
        time.sleep(delay)
        delay = min(delay * 2, MAX_POLL_SECONDS)


def registration_status(
    event_id: str, user_id: str, request_id: str | None = None
) -> Registration | RegistrationPending:
    """The person's place at the event; with `request_id` (a 202's Location), the answer to that
    queued request: still pending, placed, or the error its refusal stands for."""
    if not (is_valid_id(event_id) and is_valid_id(user_id)):
        raise NotRegistered()
    if request_id is None:
        row = registrations.get(event_id, user_id)
        if row is None:
            raise NotRegistered() if events.get(event_id) else EventNotFound()
        return public(row, position(row))
    key = f"{request_id}#{user_id}"
    state = snapshot.request_state(event_id, user_id, key)
    if (answer := _answer(state, key)) is not None:
        return answer
    if state.event is None:
        raise EventNotFound()
    if state.request is None:
        raise NotRegistered()
    return _pending(state.request)


def _answer(state: snapshot.RequestState, key: str) -> Registration | None:
    """The writer's answer to the queued request `key`: the place it got, or (raised) why it was
    refused; None while it waits."""
    placed = state.registration
    if placed is not None and placed.queue_key == key:
        return public(placed, position(placed))
    if state.outcome is not None:
        raise admission.refusal(state.outcome)
    return None


def _pending(request: QueuedRequest) -> RegistrationPending:
    return RegistrationPending(
        eventId=request.event_id,
        userId=request.user_id,
        requestId=request.key.split("#", 1)[0],
        requestedAt=request.arrived_at,
    )


def unregister(event_id: str, user_id: str) -> Unregistration:
    """Remove the user's place; a freed spot goes to the head of the waitlist in the same write
    (promoted, or in offer mode offered the spot)."""
    if not (is_valid_id(event_id) and is_valid_id(user_id)):
        raise NotRegistered()
    return admission.as_writer(
        event_id,
        lambda: with_retries(lambda: _unregister_once(event_id, user_id)),
        wait_seconds=LEAVE_WAIT_SECONDS,
    )


def _unregister_once(event_id: str, user_id: str) -> Unregistration:
    seen = snapshot.read(event_id, user_id, with_user=False)
    if seen.event is None:
        raise EventNotFound()
    place = seen.registration
    if place is None:
        raise NotRegistered()
    now = now_iso()
    if place.status == OFFERED:
        lapsed = now >= (place.offer_expires_at or "")
        return offers.end_offer(seen.event, place, now, lapsed=lapsed)
    if place.checked_in_at is not None:
        raise CheckedInCannotLeave()  # they came: the attendance count stays true
    filling = Filling()
    if place.status == WAITLISTED:
        event_actions = [events.leave_waitlist_action(event_id)]
    else:
        event_actions, filling = free_spot(seen.event.event, now)
    try:
        transact([registrations.delete_action(place), *event_actions])
    except TransactionCancelled:
        raise StateChanged() from None
    business_metrics.filled(filling.promoted, filling.offered)
    return Unregistration(
        eventId=event_id,
        userId=user_id,
        promotedUserId=next(iter(filling.promoted_ids), None),
        offeredUserId=next(iter(filling.offered_ids), None),
    )
