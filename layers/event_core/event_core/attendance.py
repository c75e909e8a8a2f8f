"""Who is coming: an event's registrations and a user's registrations, page by page.

An event's list pages through the people holding a spot first (confirmed attendees, and apart
those holding an offer of one), then the waitlist in queue order, each
waiting person's position as of the read of their page;
one page never holds more than `limit` entries, so large events page instead of overflowing
Lambda's response limit, and each page costs reads proportional to its size.
"""

from __future__ import annotations

from event_core.authorization import EVERY_EVENT, Manager
from event_core.errors import UserNotFound
from event_core.events import get_managed_event, incarnation
from event_core.ids import is_valid_id
from event_core.models.page_cursors import (
    EventRegistrationsCursor,
    RegisteredPhase,
    UserRegistrationsCursor,
    WaitlistPhase,
)
from event_core.models.registrations import (
    EventRegistrations,
    Registration,
    UserRegistration,
    UserRegistrationsPage,
)
from event_core.pagination import decode_token, encode_token
from event_core.places import public
from event_core.store import registrations, snapshot, users
from event_core.store.registrations import OFFERED
from event_core.waitlist import position


def event_registrations(
    event_id: str, *, limit: int, next_token: str | None, manager: Manager = EVERY_EVENT
) -> EventRegistrations:
    """A page of the event's attendees, then its waitlist; only for a `manager` of the event."""
    event = get_managed_event(event_id, manager).event
    scope = f"event-registrations:{event_id}:{incarnation(event)}"  # a cursor names one incarnation
    cursor = decode_token(scope, next_token, EventRegistrationsCursor)
    at = cursor.root if cursor else None
    registered: list[Registration] = []
    offered: list[Registration] = []
    waitlisted: list[Registration] = []
    following: RegisteredPhase | WaitlistPhase | None = None
    remaining = limit

    waitlist_after = at.after if isinstance(at, WaitlistPhase) else None
    if not isinstance(at, WaitlistPhase):  # the first page, or part way through the attendees
        page, last_key = registrations.registered_page(
            event_id, limit=remaining, after=at.after if at else None
        )
        # The registered-index holds the offers too (they hold a spot): listed apart.
        registered = [public(r) for r in page if r.status != OFFERED]
        offered = [public(r) for r in page if r.status == OFFERED]
        remaining -= len(page)
        if last_key:
            following = RegisteredPhase(phase="registered", after=last_key)

    if following is None:
        if remaining > 0:
            page, last_waiting = registrations.waitlist_page(event_id, limit=remaining, after=waitlist_after)
            # Positions as of this page's read: people who left since the last page move
            # everyone behind them up, so a page never shows a gap or an old place.
            ahead = (position(page[0]) or 1) - 1 if page and waitlist_after else 0
            waitlisted = [public(r, ahead + i + 1) for i, r in enumerate(page)]
            if last_waiting:
                following = WaitlistPhase(phase="waitlisted", after=last_waiting)
        elif event.waitlistCount > 0:
            following = WaitlistPhase(phase="waitlisted", after=waitlist_after)

    return EventRegistrations(
        eventId=event_id,
        registered=registered,
        offered=offered,
        waitlisted=waitlisted,
        registeredCount=event.registeredCount,
        offeredCount=event.offeredCount,
        waitlistCount=event.waitlistCount,
        nextToken=encode_token(scope, EventRegistrationsCursor(following)) if following else None,
    )


def user_registrations(user_id: str, *, limit: int, next_token: str | None) -> UserRegistrationsPage:
    if not is_valid_id(user_id) or users.get(user_id) is None:
        raise UserNotFound()
    scope = f"user-registrations:{user_id}"
    after = decode_token(scope, next_token, UserRegistrationsCursor)
    page, following = registrations.user_page(user_id, limit=limit, after=after)
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
                offerExpiresAt=stored.offer_expires_at,
                registeredAt=stored.registered_at,
            )
        )
    token = encode_token(scope, following) if following else None
    return UserRegistrationsPage(registrations=entries, count=len(entries), nextToken=token)
