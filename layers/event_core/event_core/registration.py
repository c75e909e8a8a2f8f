"""Registering and unregistering: atomic, first come first served, never oversold.

Each change is one TransactWriteItems that also updates the event's counters under conditions
on the state it read, so any interleaving of requests leaves counts equal to the rows, the
capacity respected and the queue in arrival order. A write that lost a race re-reads and retries.
"""

from __future__ import annotations

from event_core import business_metrics
from event_core.clock import now_iso
from event_core.errors import (
    AlreadyRegistered,
    EventFull,
    EventNotFound,
    EventNotOpen,
    NotRegistered,
    UserNotFound,
)
from event_core.ids import is_valid_id
from event_core.models.events import OPEN_STATUS, PROMOTING_STATUSES
from event_core.models.registrations import Registration, Unregistered
from event_core.store import events, registrations, snapshot, users
from event_core.store.registrations import REGISTERED, WAITLISTED, StoredRegistration
from event_core.store.retry import StateChanged, with_retries
from event_core.store.transactions import TransactionCancelled, transact
from event_core.waitlist import promotion_actions, promotions_due

_PROMOTING = {f"promoting{i}": status for i, status in enumerate(sorted(PROMOTING_STATUSES))}
_PROMOTING_LIST = ", ".join(f":{name}" for name in _PROMOTING)


def register(event_id: str, user_id: str) -> Registration:
    """Give the user a spot, or a place at the end of the waitlist."""
    if not is_valid_id(event_id):
        raise EventNotFound()
    try:
        placed = with_retries(lambda: _register_once(event_id, user_id))
    except EventFull:
        business_metrics.rejected_full()
        raise
    business_metrics.placed(waitlisted=placed.status == WAITLISTED)
    return placed


def _register_once(event_id: str, user_id: str) -> Registration:
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

    now = now_iso()
    if event.registeredCount < event.capacity and event.waitlistCount == 0:
        place = StoredRegistration(event_id, user_id, REGISTERED, now)
        position = None
        event_update = events.update_action(
            event_id,
            update="SET registeredCount = registeredCount + :one",
            condition="#status = :open AND registeredCount < #capacity AND waitlistCount = :zero",
            values={"one": 1, "open": OPEN_STATUS, "zero": 0},
        )
    elif event.waitlistEnabled:
        ticket = seen.event.waitlist_seq_next
        place = StoredRegistration(event_id, user_id, WAITLISTED, now, waitlist_seq=ticket)
        position = event.waitlistCount + 1
        event_update = events.update_action(
            event_id,
            update="SET waitlistCount = waitlistCount + :one, waitlistSeqNext = :next",
            condition=(
                "#status = :open AND waitlistEnabled = :on AND waitlistSeqNext = :ticket"
                " AND waitlistCount = :waiting AND (registeredCount >= #capacity OR waitlistCount > :zero)"
            ),
            values={
                "one": 1,
                "next": ticket + 1,
                "open": OPEN_STATUS,
                "on": True,
                "ticket": ticket,
                "waiting": event.waitlistCount,
                "zero": 0,
            },
        )
    else:
        raise EventFull()

    try:
        transact([users.exists_check(user_id), registrations.put_action(place), event_update])
    except TransactionCancelled as cancelled:
        if cancelled.failed(0):
            raise UserNotFound() from None
        if cancelled.failed(1):
            raise AlreadyRegistered() from None
        raise StateChanged() from None
    return Registration(
        eventId=event_id,
        userId=user_id,
        status=place.status,
        registeredAt=now,
        waitlistPosition=position,
    )


def unregister(event_id: str, user_id: str) -> Unregistered:
    """Remove the user's place; a freed spot goes to the head of the waitlist in the same write."""
    if not (is_valid_id(event_id) and is_valid_id(user_id)):
        raise NotRegistered()
    return with_retries(lambda: _unregister_once(event_id, user_id))


def _unregister_once(event_id: str, user_id: str) -> Unregistered:
    seen = snapshot.read(event_id, user_id, with_user=False)
    if seen.event is None:
        raise EventNotFound()
    place = seen.registration
    if place is None:
        raise NotRegistered()
    event = seen.event.event
    promoted: list[str] = []
    actions = [registrations.delete_action(place)]

    if place.status == WAITLISTED:
        actions.append(
            events.update_action(
                event_id,
                update="SET waitlistCount = waitlistCount - :one",
                condition="waitlistCount >= :one",
                values={"one": 1},
            )
        )
    else:
        due = promotions_due(
            capacity=event.capacity,
            registered=event.registeredCount - 1,
            waiting=event.waitlistCount,
            status=event.status,
        )
        if due:
            promoted, promotions = promotion_actions(event_id, due, now_iso())
            actions.append(
                events.update_action(
                    event_id,
                    update=(
                        "SET registeredCount = registeredCount + :delta, waitlistCount = waitlistCount - :due"
                    ),
                    condition=(
                        "registeredCount = :registered AND waitlistCount = :waiting"
                        " AND #capacity = :capacity AND #status = :status"
                    ),
                    values={
                        "delta": due - 1,
                        "due": due,
                        "registered": event.registeredCount,
                        "waiting": event.waitlistCount,
                        "capacity": event.capacity,
                        "status": event.status,
                    },
                )
            )
            actions.extend(promotions)
        else:
            # Nobody to promote: either nobody waits, or the event does not promote now.
            actions.append(
                events.update_action(
                    event_id,
                    update="SET registeredCount = registeredCount - :one",
                    condition=(
                        "registeredCount >= :one"
                        f" AND (waitlistCount = :zero OR NOT #status IN ({_PROMOTING_LIST}))"
                    ),
                    values={"one": 1, "zero": 0, **_PROMOTING},
                )
            )
    try:
        transact(actions)
    except TransactionCancelled:
        raise StateChanged() from None
    business_metrics.promoted(len(promoted))
    return Unregistered(eventId=event_id, userId=user_id, promotedUserId=promoted[0] if promoted else None)
