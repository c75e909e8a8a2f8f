"""GET /events: events in the order of their dates' instants, of one status or of all, paged.

The status index holds each status's events in date order. One status is one read of it a
page; all events are the statuses' reads merged, resuming each where the last page took its
last event from it.
"""

from __future__ import annotations

from collections import deque
from typing import Any, get_args

from event_core.errors import InvalidPageToken
from event_core.models.events import Event, EventPage, EventStatus
from event_core.pagination import decode_token, encode_token
from event_core.store import events
from event_core.store.codec import Item
from event_core.store.events import DatedEvent, DatedPage

STATUSES: tuple[str, ...] = get_args(EventStatus)

# Where each status's read resumes: after an index key, or (None) at its start. A status that
# is not there is finished.
Positions = dict[str, Item | None]


def list_events(*, status: str | None, limit: int, next_token: str | None) -> EventPage:
    scope = f"events-by-date:{status or '*'}"  # tokens of the text-ordered listing are refused
    state = decode_token(scope, next_token)
    positions = _positions(state, [status] if status else list(STATUSES))
    page, following = merged_page(positions, limit)
    token = encode_token(scope, {"after": following}) if following else None
    return EventPage(events=page, count=len(page), nextToken=token)


def merged_page(positions: Positions, limit: int) -> tuple[list[Event], Positions]:
    """Up to `limit` events of the statuses in `positions`, earliest instant first, and the
    positions after them.

    Each status is read `limit` events ahead; a page stops early where a status's read is used
    up but the index holds more of it, since its next event might come first.
    """
    reads = {status: events.by_date(status, limit=limit, after=after) for status, after in positions.items()}
    ahead: dict[str, deque[DatedEvent]] = {status: deque(read.events) for status, read in reads.items()}
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
        elif read.last_key is not None:
            following[status] = read.last_key
    return page, following


def _used_up(ahead: deque[DatedEvent], read: DatedPage) -> bool:
    return not ahead and read.last_key is not None


def _positions(state: dict[str, Any] | None, statuses: list[str]) -> Positions:
    if state is None:
        return dict.fromkeys(statuses)
    after = state.get("after")
    if not isinstance(after, dict) or not after or not set(after) <= set(statuses):
        raise InvalidPageToken()
    if not all(key is None or isinstance(key, dict) for key in after.values()):
        raise InvalidPageToken()
    return after
