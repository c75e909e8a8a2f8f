"""GET /events: events in the order of their dates' instants, of one status or of all, paged,
optionally of one organizer and within a date range.

The status index holds each status's events in date order, the organizer index each organizer's
events of each status. One status is one read of one of them a page; all events are the
statuses' reads merged, resuming each where the last page took its last event from it. A date
range is part of each read's key condition: a page reads its own events and a few more, however
many events the table holds before, after or beside them.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Protocol, get_args

from event_core.errors import InvalidPageToken, InvalidQuery
from event_core.models.date_ranges import DateRange
from event_core.models.events import Event, EventPage, EventStatus
from event_core.models.page_cursors import EventsByStatusCursor, EventsCursor
from event_core.pagination import decode_token, encode_token
from event_core.store import events
from event_core.store.events import DatedEvent, DatedPage

STATUSES: tuple[EventStatus, ...] = get_args(EventStatus)

# Where each status's read resumes: after a position, or (None) at its start. A status that is
# not there is finished.
Positions = dict[EventStatus, EventsByStatusCursor | None]


class Reader(Protocol):
    """One status's read: a page of its events, earliest first, after a position."""

    def __call__(self, status: str, /, *, limit: int, after: EventsByStatusCursor | None) -> DatedPage: ...


def list_events(
    *,
    status: str | None,
    limit: int,
    next_token: str | None,
    since: str | None = None,
    until: str | None = None,
    organizer: str | None = None,
) -> EventPage:
    """A page of events (of `status`, of `organizer`: exact match), from `since` (inclusive) to
    `until` (exclusive), earliest instant first; InvalidQuery if the range ends before it starts."""
    between = DateRange.of(since, until)
    if between.reversed:
        raise InvalidQuery("to", "must not be before from")
    scope = listing_scope(status, between, organizer)

    def read(of_status: str, *, limit: int, after: EventsByStatusCursor | None) -> DatedPage:
        return events.by_date(of_status, limit=limit, after=after, organizer=organizer, between=between)

    cursor: EventsCursor | EventsByStatusCursor | None
    if status is None:
        merged = decode_token(scope, next_token, EventsCursor)
        _check_within(between, *(merged.after.values() if merged else ()))
        page, following = merged_page(_positions(merged), limit, read)
        cursor = EventsCursor(after=following) if following else None
    else:
        after = decode_token(scope, next_token, EventsByStatusCursor)
        _check_within(between, after)
        dated = read(status, limit=limit, after=after)
        page, cursor = [each.event for each in dated.events], dated.last
    token = encode_token(scope, cursor) if cursor else None
    return EventPage(events=page, count=len(page), nextToken=token)


def listing_scope(status: str | None, between: DateRange, organizer: str | None) -> str:
    """What a token is bound to: the listing and its parameters (a token of one query is
    refused by another). The listing of all dates by anyone keeps its scope of before."""
    scope = f"events-by-date:{status or '*'}"  # tokens of the listing by date text are refused
    if between.unbounded and organizer is None:
        return scope
    return scope + json.dumps({"between": between.scope(), "organizer": organizer}, sort_keys=True)


def _check_within(between: DateRange, *positions: EventsByStatusCursor | None) -> None:
    """A position outside the range was never handed out for it (only a token signed with a
    leaked key holds one): refused, as DynamoDB would refuse to start a read there."""
    if any(p is not None and not between.holds(p.dateUtc) for p in positions):
        raise InvalidPageToken()


def merged_page(positions: Positions, limit: int, reader: Reader) -> tuple[list[Event], Positions]:
    """Up to `limit` events of the statuses in `positions`, earliest instant first, and the
    positions after them.

    Each status is read `limit` events ahead; a page stops early where a status's read is used
    up but the index holds more of it, since its next event might come first.
    """
    reads = {status: reader(status, limit=limit, after=after) for status, after in positions.items()}
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
