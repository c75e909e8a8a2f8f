"""Event use cases: create, read, update (promoting into new spots) and delete."""

from __future__ import annotations

import contextlib
import hashlib
import time
from dataclasses import dataclass
from typing import Any

from event_core import business_metrics, windows
from event_core.authorization import EVERY_EVENT, Manager
from event_core.clock import iso_ago, now_iso
from event_core.errors import (
    Busy,
    CapacityBelowOffered,
    CapacityBelowRegistered,
    EventNotFound,
    Forbidden,
    InvalidField,
    NoFieldsToUpdate,
)
from event_core.ids import is_valid_id, new_id
from event_core.models.events import Event, EventCreate, EventDeletion
from event_core.preconditions import check_if_match, parse_if_match
from event_core.store import admission as queue
from event_core.store import events, registrations
from event_core.store.admission import QueuedRequest
from event_core.store.events import StoredEvent
from event_core.store.retry import StateChanged, is_transient, with_retries
from event_core.store.transactions import TransactionCancelled, transact
from event_core.waitlist import MAX_PROMOTIONS_PER_WRITE, Filling, due_for, fill_for

# A delete runs inside one Lambda invocation (29 s timeout, template.yaml): past that its
# function has been stopped, so an older tombstone is an orphan that anyone may finish.
STALE_DELETE_SECONDS = 35


@dataclass(frozen=True, slots=True)
class Applied:
    """What an update did: the event as it left it, and whom it moved from the waitlist into the
    spots it opened, in queue order."""

    stored: StoredEvent
    promoted: tuple[str, ...] = ()
    offered: tuple[str, ...] = ()  # offer mode: whom it offered the spots it opened
    promotions_pending: bool = False  # more spots opened than it filled: the queue's writer goes on

    @property
    def event(self) -> Event:
        return self.stored.event


def incarnation(event: Event) -> str:
    """Which life of an event id this is: an event deleted and created again under the same id
    is another event (its creation time differs), and must match no tag or cursor of the old."""
    return hashlib.sha256(event.createdAt.encode()).hexdigest()[:8]


def etag(stored: StoredEvent) -> str:
    """Entity tag of one version of one incarnation of an event. It moves when an organizer edits
    the event, not on registrations."""
    return f'"{stored.event.eventId}.{incarnation(stored.event)}.{stored.revision}"'


def create_event(request: EventCreate, *, manager: Manager = EVERY_EVENT) -> Event:
    """Store a new event, owned by the manager who creates it (COGNITO; else owned by nobody)."""
    now = now_iso()
    fields = request.model_dump(mode="json")
    fields["eventId"] = request.eventId or new_id()
    event = Event(
        **fields, ownerId=manager.user_id, registeredCount=0, waitlistCount=0, createdAt=now, updatedAt=now
    )
    with_retries(lambda: events.put_new(event))
    return event


def get_event(event_id: str) -> StoredEvent:
    stored = events.get(event_id) if is_valid_id(event_id) else None
    if stored is None:
        raise EventNotFound()
    return stored


def get_managed_event(event_id: str, manager: Manager) -> StoredEvent:
    """The event, if `manager` may manage it: EventNotFound, or Forbidden for another's event.

    Events are public (any caller reads them), so the 403 tells nobody more than a GET would.
    """
    stored = get_event(event_id)
    if not manager.manages(stored.event.ownerId):
        raise Forbidden()
    return stored


def update_event(
    event_id: str,
    changes: dict[str, Any],
    *,
    if_match: str | None = None,
    manager: Manager = EVERY_EVENT,
) -> Applied:
    """Apply the changes atomically; spots they open go to the waitlist's head, in order.

    Only a `manager` of the event may: the write is conditioned on the revision whose owner was
    checked, and a transfer of ownership moves the revision.

    With `if_match` (an If-Match header) the changes apply only to the revision it names, else
    PreconditionFailed: the write is conditioned on the revision the check read, so a concurrent
    edit makes it re-read and fail the check; registrations (which keep the ETag) do not.
    """
    if not changes:
        raise NoFieldsToUpdate()
    if if_match is not None:
        parse_if_match(if_match)  # malformed: refused before anything is read (InvalidPrecondition)
    # More spots opening than one transaction promotes: the first transaction also writes a
    # note in the admission queue, so that whatever happens to this request (busy, killed) the
    # queue's writer fills them all; the note is only ever seen with the change applied.
    stored, filling, more_due, note = with_retries(
        lambda: _apply_once(event_id, changes, if_match, manager=manager, noting=True)
    )
    promoted, offered = list(filling.promoted_ids), list(filling.offered_ids)
    try:
        while more_due:  # the rest of a large capacity raise, a batch at a time
            stored, filling, more_due, _ = with_retries(lambda: _apply_once(event_id, {}))
            promoted.extend(filling.promoted_ids)
            offered.extend(filling.offered_ids)
    except Busy:  # applied; the writer finishes the promotions (the note woke it)
        return Applied(stored, tuple(promoted), tuple(offered), promotions_pending=True)
    if note is not None:
        queue.remove([note])
    return Applied(stored, tuple(promoted), tuple(offered))


def _apply_once(
    event_id: str,
    changes: dict[str, Any],
    if_match: str | None = None,
    *,
    manager: Manager = EVERY_EVENT,
    noting: bool = False,
) -> tuple[StoredEvent, Filling, bool, QueuedRequest | None]:
    """One transaction of an update: the changes, and the promotions (or in offer mode, the
    offers) they make due, up to one transaction's worth. With `noting`, a transaction that
    leaves more due also writes the admission queue's promotions note. Returns the event as
    written, whom it promoted or offered a spot, whether more are due, and the note."""
    stored = get_managed_event(event_id, manager)
    check_if_match(if_match, etag(stored))
    event = stored.event
    changed = event.model_copy(update=changes)  # the capacity, status and waitlist mode that apply
    if "capacity" in changes and changed.capacity < event.registeredCount + event.offeredCount:
        # only a capacity change is judged against the spots held
        raise (
            CapacityBelowRegistered() if changed.capacity < event.registeredCount else CapacityBelowOffered()
        )
    _require_a_registration_window(event, changes)
    due = due_for(changed)
    if not changes and not due:
        return stored, Filling(), False, None

    now = now_iso()
    filling = fill_for(changed, due, now)
    update = events.edit_action(stored, changes, promoted=filling.promoted, offered=filling.offered, now=now)
    more_due = due == MAX_PROMOTIONS_PER_WRITE
    note, note_actions = None, []
    if noting and more_due:
        note, note_action = queue.promotions_note(event_id, now)
        note_actions = [note_action]
    try:
        transact([update, *filling.actions, *note_actions])
    except TransactionCancelled:
        raise StateChanged() from None
    business_metrics.filled(filling.promoted, filling.offered)

    counts = {
        "registeredCount": event.registeredCount + filling.promoted,
        "offeredCount": event.offeredCount + filling.offered,
        "waitlistCount": event.waitlistCount - due,
    }
    stamp = {"updatedAt": now} if changes else {}
    updated = StoredEvent(
        event=event.model_copy(update={**changes, **counts, **stamp}),
        revision=stored.revision + (1 if changes else 0),
        waitlist_seq_next=stored.waitlist_seq_next,
    )
    return updated, filling, more_due, note


def _require_a_registration_window(event: Event, changes: dict[str, Any]) -> None:
    """InvalidField unless the event as changed leaves time to register (opens before it closes)."""
    problem = windows.registration_problem(
        changes.get("date", event.date),
        changes.get("registrationOpensAt", event.registrationOpensAt),
        changes.get("registrationClosesAt", event.registrationClosesAt),
    )
    if problem is not None:
        raise InvalidField(*problem)


def delete_event(event_id: str, *, manager: Manager = EVERY_EVENT) -> EventDeletion:
    """Tombstone the event (readers see it gone at once), purge its registrations, then drop it.

    Only a `manager` of the event may: the tombstone is conditioned on the owner (Forbidden if the
    event is live and another's).

    Only the delete that placed the tombstone purges and removes it, so overlapping deletes
    answer once (the others get 404) and the id stays reserved until the purge is done. A
    tombstone left by a delete that died is adopted by the next delete after a grace period.
    """
    if not is_valid_id(event_id):
        raise EventNotFound()
    deletion = new_id()  # this delete's id: only the delete that placed the tombstone purges
    # A transaction in flight on the event item (a registration batch) makes these single-item
    # writes fail with TransactionConflictException: retried like any lost race.
    if with_retries(lambda: _tombstone(event_id, deletion, manager)):
        try:
            _purge(event_id, deletion)
        except Busy:  # deleted for every reader; the purge is finished in the background
            return EventDeletion.still_purging(event_id)
        return EventDeletion(eventId=event_id)
    if _adopt_stale(event_id, deletion):
        _purge(event_id, deletion)
    raise EventNotFound()


def _tombstone(event_id: str, deletion: str, manager: Manager) -> bool:
    """Place this delete's tombstone; False if the event is not live, Forbidden if another's."""
    owned_by = None if manager.administers else manager.user_id
    if events.mark_deleted(event_id, now_iso(), deletion, owned_by=owned_by):
        return True
    if owned_by is not None and (live := events.get(event_id)) is not None:
        if not manager.manages(live.event.ownerId):
            raise Forbidden()
        raise StateChanged()  # handed over to this manager since the write: try again
    return False


def _adopt_stale(event_id: str, deletion: str) -> bool:
    """Take over a tombstone whose delete has been stopped (older than STALE_DELETE_SECONDS)."""
    stale_before = iso_ago(STALE_DELETE_SECONDS)
    return with_retries(
        lambda: events.take_over_deletion(event_id, now_iso(), deletion, stale_before=stale_before)
    )


def finish_deletion(event_id: str, *, wait_seconds: float, poll_seconds: float = 1.0) -> bool:
    """Finish the delete of `event_id` if its own request does not: wait while the tombstone is
    fresh (its delete may still be purging), then adopt it once stale and purge. Returns whether
    the event is gone for good (no tombstone left); False if still fresh after `wait_seconds`.

    The events table's stream calls this for every new tombstone (functions/admission), so a
    delete that died mid-purge is finished within STALE_DELETE_SECONDS, without any request.
    """
    deadline = time.monotonic() + wait_seconds
    while events.tombstone_of(event_id) is not None:
        deletion = new_id()
        if _adopt_stale(event_id, deletion):
            _purge(event_id, deletion)
            continue
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll_seconds)
    return True


def _purge(event_id: str, deletion: str) -> None:
    """Purge and drop the tombstone, retrying throttled batches (deleting is safe to repeat).

    If DynamoDB stays unavailable the event is already gone for every reader; the tombstone is
    handed over so that the next delete, or the events stream's function, finishes at once.
    """
    try:
        with_retries(lambda: registrations.purge_event(event_id))
        with_retries(lambda: events.remove_tombstone(event_id, deletion))
    except Exception as error:
        if isinstance(error, Busy) or is_transient(error):  # DynamoDB said "later": hand over
            with contextlib.suppress(Exception):  # still failing: the grace period covers it
                events.release_deletion(event_id, deletion)
        raise
