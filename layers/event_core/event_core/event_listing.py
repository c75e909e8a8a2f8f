"""GET /events: events in the order of their dates' instants, of one status or of all, paged.

The status index holds each status's events in date order. One status is one read of it a
page; all events are the statuses' reads merged, resuming each where the last page took its
last event from it.
"""

from __future__ import annotations

from collections import deque
from typing import get_args

from event_core.models.events import Event, EventPage, EventStatus
from event_core.models.page_cursors import EventsByStatusCursor, EventsCursor
from event_core.pagination import decode_token, encode_token
from event_core.store import events
from event_core.store.events import DatedEvent, DatedPage

STATUSES: tuple[EventStatus, ...] = get_args(EventStatus)

# Where each status's read resumes: after a position, or (None) at its start. A status that is
# not there is finished.
Positions = dict[EventStatus, EventsByStatusCursor | None]


def list_events(*, status: str | None, limit: int, next_token: str | None) -> EventPage:
    scope = f"events-by-date:{status or '*'}"  # tokens of the listing by date text are refused
    cursor: EventsCursor | EventsByStatusCursor | None
    if status is None:
        positions = _positions(decode_token(scope, next_token, EventsCursor))
        page, following = merged_page(positions, limit)
        cursor = EventsCursor(after=following) if following else None
    else:
        read = events.by_date(
            status, limit=limit, after=decode_token(scope, next_token, EventsByStatusCursor)
        )
        page, cursor = [dated.event for dated in read.events], read.last
    token = encode_token(scope, cursor) if cursor else None
    return EventPage(events=page, count=len(page), nextToken=token)


def merged_page(positions: Positions, limit: int) -> tuple[list[Event], Positions]:
    """Up to `limit` events of the statuses in `positions`, earliest instant first, and the
    positions after them.

    Each status is read `limit` events ahead; a page stops early where a status's read is used
    up but the index holds more of it, since its next event might come first.
    """
    reads = {status: events.by_date(status, limit=limit, after=after) for status, after in positions.items()}
    ahead: dict[EventStatus, deque[DatedEvent]] = {
        status: deque(read.events) for status, read in reads.items()
    }
    resume = dict(positions)
    page: list[Event] = []
    while len(page) < limit and not any(_used_up(ahead[s], reads[s]) for s in reads):
        waiting = [status for status in reads if ahead[status]]
        if not waiting:
            break
        status = min(waiting, key=lambda s: ahead[s][0].instant)
        taken = ahead[status].popleft()
        page.append(taken.event)
        resume[status] = taken.position
    following: Positions = {}
    for status, read in reads.items():
        if ahead[status]:
            following[status] = resume[status]
        elif read.last is not None:
            following[status] = read.last
    return page, following


def _used_up(ahead: deque[DatedEvent], read: DatedPage) -> bool:
    return not ahead and read.last is not None


def _positions(cursor: EventsCursor | None) -> Positions:
    """Each status's position, in the order of STATUSES (which breaks ties between statuses)."""
    if cursor is None:
        return dict.fromkeys(STATUSES)
    return {status: cursor.after[status] for status in STATUSES if status in cursor.after}
