"""Upcoming events on DynamoDB Local: GET /events?from=&to=&organizer= paged through the status
and organizer indexes, each event once, earliest first, `from` inclusive and `to` exclusive; and a
first page that reads as many items however many events the table holds.

The table is shared with the other tests: each test owns a year no other test dates events in,
or an organizer of its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest

from event_core import events
from event_core.event_listing import list_events
from event_core.models.events import EventCreate, EventPage
from tests.support.bodies import event_body, unique
from tests.support.instants import instant_of
from tests.support.parallel import run_concurrently
from tests.support.query_reads import items_read as reads

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("local_env")]

_YEARS = itertools.count(7301)  # years no other test dates its events in


def own_year() -> int:
    return next(_YEARS)


def around(year: int) -> list[str]:
    """Dates in and around `year`'s 1 to 3 June (UTC): before, on and after its bounds, several
    at one instant, in several offsets."""
    return [
        f"{year}-05-31T23:59:59.999999Z",
        f"{year}-06-01T08:00:00+09:00",  # 23:00 UTC on 31 May
        f"{year}-06-01",  # the first instant in range
        f"{year}-06-01T02:00:00+02:00",  # the same instant
        f"{year}-06-01T00:00:00Z",  # and again
        *[f"{year}-06-01T{hour:02d}:30:00-03:00" for hour in range(24)],
        *[f"{year}-06-02T12:00:00Z"] * 5,  # five at one instant
        f"{year}-06-02T23:59:59.999999Z",  # the last instant in range
        f"{year}-06-03",  # to is exclusive
        f"{year}-06-03T01:00:00+01:00",  # the same instant
        f"{year}-06-04",
    ]


def in_range(date: str, year: int) -> bool:
    return datetime(year, 6, 1, tzinfo=UTC) <= instant_of(date) < datetime(year, 6, 3, tzinfo=UTC)


def create_all(bodies: list[dict[str, Any]]) -> list[str]:
    def create(body: dict[str, Any]) -> str:
        return events.create_event(EventCreate.model_validate(body)).eventId

    return run_concurrently([partial(create, body) for body in bodies], workers=8)


def all_pages(**query: Any) -> list[EventPage]:
    query = {"status": None, **query}
    pages = [list_events(next_token=None, **query)]
    while pages[-1].nextToken is not None:
        assert len(pages) < 500, "paging does not terminate"
        pages.append(list_events(next_token=pages[-1].nextToken, **query))
    return pages


@pytest.mark.parametrize("status", [None, "postponed"])
def test_a_date_range_pages_through_its_events_once_each_in_order(status):
    # Given events in and around a range, of two statuses, created at once
    year = own_year()
    dates = around(year)
    bodies = [event_body(date=d, status=("postponed", "completed")[n % 2]) for n, d in enumerate(dates)]
    ids = create_all(bodies)
    created = {event_id: body for event_id, body in zip(ids, bodies, strict=True)}

    # When the range is paged through, 4 at a time
    since, until = f"{year}-06-01", f"{year}-06-03T00:00:00+00:00"
    pages = all_pages(status=status, limit=4, since=since, until=until)
    listed = [e for page in pages for e in page.events]

    # Then exactly the events in it (of the status) are listed, each once, earliest first, with
    # full pages but the last, which has no token
    expected = {e for e, b in created.items() if in_range(b["date"], year) and status in (None, b["status"])}
    assert [e.eventId for e in listed if e.eventId in expected] == [e.eventId for e in listed]
    assert sorted(e.eventId for e in listed) == sorted(expected)
    assert [instant_of(e.date) for e in listed] == sorted(instant_of(e.date) for e in listed)
    assert all(page.count == 4 for page in pages[:-1])
    assert pages[-1].nextToken is None


@pytest.mark.parametrize("status", [None, "active"])
def test_an_organizer_in_a_date_range_lists_their_events_once_each_in_order(status):
    # Given an organizer's events around a range, of two statuses, and others' at the same dates
    year, organizer = own_year(), unique("organizer")
    dates = around(year)
    theirs = [
        event_body(date=d, organizer=organizer, status=("active", "cancelled")[n % 3 == 0])
        for n, d in enumerate(dates)
    ]
    others = [event_body(date=d, organizer=organizer.upper()) for d in dates]
    ids = create_all(theirs + others)
    created = dict(zip(ids, theirs, strict=False))

    # When the organizer's events of the range are paged through, 3 at a time
    pages = all_pages(
        status=status, limit=3, organizer=organizer, since=f"{year}-06-01", until=f"{year}-06-03"
    )
    listed = [e for page in pages for e in page.events]

    # Then exactly theirs in it (of the status) are listed, each once, earliest first
    expected = {e for e, b in created.items() if in_range(b["date"], year) and status in (None, b["status"])}
    assert sorted(e.eventId for e in listed) == sorted(expected)
    assert {e.organizer for e in listed} == {organizer}
    assert [instant_of(e.date) for e in listed] == sorted(instant_of(e.date) for e in listed)


# ---------------------------------------------------------------- the first page's cost


@pytest.fixture
def items_read() -> Iterator[list[int]]:
    with reads() as counts:
        yield counts


def test_the_first_page_reads_as_many_items_whatever_the_table_holds(items_read):
    # Given an organizer's events in and around a range
    year, organizer = own_year(), unique("organizer")
    queries = {
        "range": {"since": f"{year}-06-01", "until": f"{year}-06-03"},
        "range-and-status": {"since": f"{year}-06-01", "until": f"{year}-06-03", "status": "active"},
        "organizer": {"organizer": organizer},
        "organizer-and-range": {"organizer": organizer, "since": f"{year}-06-01", "until": f"{year}-06-03"},
    }

    def fill(copies: int) -> None:
        dates = around(year) * copies
        create_all([event_body(date=d, organizer=o) for d in dates for o in (organizer, "QA")])

    def first_pages() -> dict[str, int]:
        read = {}
        for name, query in queries.items():
            items_read.clear()
            assert list_events(limit=5, next_token=None, **{"status": None, **query}).count == 5
            read[name] = sum(items_read)
        return read

    fill(1)
    few = first_pages()

    # When the table holds six times as many of them, then each first page reads the same items,
    # at most a page and one more of each status
    fill(5)
    assert first_pages() == few
    assert max(few.values()) <= 4 * (5 + 1)
