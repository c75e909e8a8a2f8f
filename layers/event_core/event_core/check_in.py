"""Checking a registered attendee in at the door, by the event's organizer.

Idempotent: an attendee already checked in keeps their first check-in time, and asking again
changes nothing. A first check-in is one transaction: the registration gets `checkedInAt`
(conditioned on being registered and not checked in yet) and the event's `checkedInCount` goes
up by one, so concurrent check-ins of one person count once.
"""

from __future__ import annotations

from dataclasses import replace

from event_core import clock, windows
from event_core.authorization import EVERY_EVENT, Manager
from event_core.errors import CheckInNotOpen, EventNotFound, Forbidden, NotAnAttendee, NotRegistered
from event_core.events import get_managed_event
from event_core.ids import is_valid_id
from event_core.models.registrations import Registration
from event_core.places import public
from event_core.store import events, registrations, snapshot
from event_core.store.registrations import REGISTERED
from event_core.store.retry import StateChanged, with_retries
from event_core.store.transactions import TransactionCancelled, transact

CANCELLED = "cancelled"


def check_in(event_id: str, user_id: str, *, manager: Manager = EVERY_EVENT) -> Registration:
    """The attendee's registration, checked in (now, or at their first check-in)."""
    if not (is_valid_id(event_id) and is_valid_id(user_id)):
        get_managed_event(event_id, manager)  # EventNotFound, or Forbidden, as for any id
        raise NotRegistered()
    return with_retries(lambda: _check_in_once(event_id, user_id, manager))


def _check_in_once(event_id: str, user_id: str, manager: Manager) -> Registration:
    seen = snapshot.read(event_id, user_id, with_user=False)
    if seen.event is None:
        raise EventNotFound()
    event = seen.event.event
    if not manager.manages(event.ownerId):
        raise Forbidden()
    place = seen.registration
    if place is None:
        raise NotRegistered()
    if place.checked_in_at is not None:
        return public(place)  # checked in before: nothing changes
    if place.status != REGISTERED:
        raise NotAnAttendee()
    if event.status == CANCELLED:
        raise CheckInNotOpen("Check-in is closed: the event is cancelled")
    at = clock.now()
    windows.require_check_in_open(event, at)
    checked_in_at = clock.iso(at)
    try:
        transact(
            [registrations.check_in_action(place, checked_in_at), events.count_check_in_action(event_id)]
        )
    except TransactionCancelled:
        raise StateChanged() from None  # checked in, or left, meanwhile: read again
    return public(replace(place, checked_in_at=checked_in_at))
