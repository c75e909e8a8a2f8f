"""Who is coming: an event's registrations and a user's registrations, page by page.

An event's list pages through confirmed attendees first, then the waitlist in queue order, each
waiting person's position as of the read of their page;
one page never holds more than `limit` entries, so large events page instead of overflowing
Lambda's response limit, and each page costs reads proportional to its size.
"""

from __future__ import annotations

from typing import Any

from event_core.authorization import EVERY_EVENT, Manager
from event_core.errors import UserNotFound
from event_core.events import get_managed_event, incarnation
from event_core.ids import is_valid_id
from event_core.models.registrations import (
    EventRegistrations,
    Registration,
    UserRegistration,
    UserRegistrationsPage,
)
from event_core.pagination import decode_token, encode_token
from event_core.store import registrations, snapshot, users
from event_core.store.registrations import REGISTERED_INDEX, WAITLIST_INDEX, StoredRegistration
from event_core.waitlist import position


def _public(stored: StoredRegistration, waitlist_position: int | None = None) -> Registration:
    return Registration(
        eventId=stored.event_id,
        userId=stored.user_id,
        status=stored.status,
        registeredAt=stored.registered_at,
        waitlistPosition=waitlist_position,
    )


def event_registrations(
    event_id: str, *, limit: int, next_token: str | None, manager: Manager = EVERY_EVENT
) -> EventRegistrations:
    """A page of the event's attendees, then its waitlist; only for a `manager` of the event."""
    event = get_managed_event(event_id, manager).event
    scope = f"event-registrations:{event_id}:{incarnation(event)}"  # a cursor names one incarnation
    state: dict[str, Any] = decode_token(scope, next_token) or {"phase": "registered", "key": None}
    registered: list[Registration] = []
    waitlisted: list[Registration] = []
    following: dict[str, Any] | None = None
    remaining = limit

    if state.get("phase") == "registered":
        page, last_key = registrations.index_page(
            REGISTERED_INDEX, event_id, limit=remaining, start_key=state.get("key")
        )
        registered = [_public(r) for r in page]
        remaining -= len(page)
        if last_key:
            following = {"phase": "registered", "key": last_key}
        else:
            state = {"phase": "waitlisted", "key": None}

    if following is None and state.get("phase") == "waitlisted":
        if remaining > 0:
            page, last_key = registrations.index_page(
                WAITLIST_INDEX, event_id, limit=remaining, start_key=state.get("key")
            )
            # Positions as of this page's read: people who left since the last page move
            # everyone behind them up, so a page never shows a gap or an old place.
            ahead = (position(page[0]) or 1) - 1 if page and state.get("key") else 0
            waitlisted = [_public(r, ahead + i + 1) for i, r in enumerate(page)]
            if last_key:
                following = {"phase": "waitlisted", "key": last_key}
        elif event.waitlistCount > 0:
            following = state

    return EventRegistrations(
        eventId=event_id,
        registered=registered,
        waitlisted=waitlisted,
        registeredCount=event.registeredCount,
        waitlistCount=event.waitlistCount,
        nextToken=encode_token(scope, following) if following else None,
    )


def user_registrations(user_id: str, *, limit: int, next_token: str | None) -> UserRegistrationsPage:
    if not is_valid_id(user_id) or users.get(user_id) is None:
        raise UserNotFound()
    scope = f"user-registrations:{user_id}"
    state = decode_token(scope, next_token)
    page, last_key = registrations.user_page(user_id, limit=limit, start_key=state["key"] if state else None)
    # The user index is eventually consistent: re-read the page's rows and events consistently.
    events_by_id, current = snapshot.events_and_registrations([(r.event_id, r.user_id) for r in page])
    entries: list[UserRegistration] = []
    for listed in page:
        stored_event = events_by_id.get(listed.event_id)
        stored = current.get(listed.event_id)
        if stored_event is None or stored is None:
            continue  # the event was deleted, or the user left it
        entries.append(
            UserRegistration(
                eventId=stored.event_id,
                eventTitle=stored_event.event.title,
                eventDate=stored_event.event.date,
                status=stored.status,
                waitlistPosition=position(stored),
                registeredAt=stored.registered_at,
            )
        )
    token = encode_token(scope, {"key": last_key}) if last_key else None
    return UserRegistrationsPage(registrations=entries, count=len(entries), nextToken=token)
