"""Upcoming events: GET /events with a date range (`from` inclusive, `to` exclusive) and an
organizer, paged through their indexes, each event once, earliest first, with a first page that
reads as much however many events the table holds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from event_core.errors import InvalidPageToken, InvalidQuery
from event_core.event_listing import list_events, listing_scope
from event_core.events import delete_event, update_event
from event_core.models import dates
from event_core.models.date_ranges import DateRange
from event_core.models.events import EventPage
from event_core.models.page_cursors import EventsByStatusCursor, EventsCursor
from event_core.pagination import encode_token
from tests.support.bodies import unique
from tests.support.builders import an_event
from tests.support.query_reads import items_read as reads

# Events around the range from 2027-06-01 (inclusive) to 2027-06-03 (exclusive).
BEFORE = ["2027-05-31T23:59:59.999999Z", "2027-06-01T08:00:00+09:00"]  # the latter 23:00 UTC on 31 May
INSIDE = [
    "2027-06-01",  # its first instant: from is inclusive
    "2027-06-01T02:00:00+02:00",  # the same instant, written otherwise
    "2027-06-01T00:00:00.000001Z",
    "2027-06-01T12:00:00Z",
    "2027-06-01T12:00:00Z",  # two events at one instant
    "2027-06-01T23:30:00-05:00",  # 04:30 UTC on 2 June
    "2027-06-02T23:59:59.999999Z",  # the last instant before to
]
AFTER = ["2027-06-03", "2027-06-03T01:00:00+01:00", "2027-07-01"]  # to is exclusive
RANGE = {"since": "2027-06-01", "until": "2027-06-03"}


def all_pages(**query: Any) -> Iterator[EventPage]:
    """Every page of a listing, following nextToken with the same parameters."""
    query = {"status": None, "limit": 100, **query}
    page = list_events(next_token=None, **query)
    yield page
    for _ in range(100):
        if page.nextToken is None:
            return
        page = list_events(next_token=page.nextToken, **query)
        yield page
    raise AssertionError("nextToken never ran out")


def listed(**query: Any) -> list[str]:
    return [event.eventId for page in all_pages(**query) for event in page.events]


def by_instant(created: dict[str, str], ids: list[str]) -> list[str]:
    return sorted((created[event_id] for event_id in ids), key=dates.sort_key)


@pytest.mark.parametrize("status", [None, "active"])
@pytest.mark.parametrize("limit", [1, 2, 3, 7, 100])
def test_a_date_range_pages_through_its_events_once_each_in_order(status, limit):
    # Given events before, inside and after the range, created in no particular order
    created = {an_event(date=date): date for date in reversed(BEFORE + INSIDE + AFTER)}
    inside = [event_id for event_id, date in created.items() if date in INSIDE]

    # When the range is paged through
    pages = list(all_pages(status=status, limit=limit, **RANGE))
    ids = [event.eventId for page in pages for event in page.events]

    # Then exactly the events inside it are listed, each once, earliest first; no page is over
    # the limit and the last one has no token
    assert sorted(ids) == sorted(inside)
    assert [created[event_id] for event_id in ids] == by_instant(created, ids)
    assert all(page.count == len(page.events) <= limit for page in pages)
    assert pages[-1].nextToken is None


def test_one_bound_alone_restricts_one_side():
    created = {an_event(date=date): date for date in BEFORE + INSIDE + AFTER}
    from_on = [e for e, d in created.items() if d in INSIDE + AFTER]
    up_to = [e for e, d in created.items() if d in BEFORE + INSIDE]

    assert sorted(listed(since="2027-06-01", limit=2)) == sorted(from_on)
    assert sorted(listed(until="2027-06-03T00:00:00+00:00", limit=2)) == sorted(up_to)


def test_consecutive_ranges_hold_each_event_once():
    # Given events on both sides of midnight, UTC
    created = [an_event(date=date) for date in INSIDE]

    # When the range is read as two days, then each event is in exactly one of them
    first, second = (
        listed(since="2027-06-01", until="2027-06-02"),
        listed(since="2027-06-02", until="2027-06-03"),
    )
    assert sorted(first + second) == sorted(created)


def test_an_empty_range_lists_nothing_and_a_reversed_one_is_refused():
    an_event(date="2027-06-01")

    # A range from an instant to itself holds nothing (to is exclusive), nor one ending at the
    # earliest instant there is
    assert (
        list_events(status=None, limit=10, next_token=None, since="2027-06-01", until="2027-06-01").events
        == []
    )
    assert listed(until="0001-01-01") == []

    # One ending before it starts is an error, naming `to`
    with pytest.raises(InvalidQuery) as refused:
        list_events(status=None, limit=10, next_token=None, since="2027-06-02", until="2027-06-01T23:59:59Z")
    assert refused.value.parameter == "to"


@pytest.mark.parametrize("status", [None, "active", "cancelled"])
@pytest.mark.parametrize("limit", [1, 2, 100])
def test_an_organizer_lists_their_events_only_exact_match(status, limit):
    # Given an organizer's events of two statuses, and other organizers' (one differs only by case)
    psf = unique("PSF")
    theirs = {
        an_event(organizer=psf, status=event_status, date=date): event_status
        for event_status, date in [
            ("active", "2027-06-02"),
            ("cancelled", "2027-06-01T10:00:00Z"),
            ("active", "2027-05-30T10:00:00+02:00"),
            ("cancelled", "2027-06-05"),
        ]
    }
    an_event(organizer=psf.lower(), date="2027-06-01")
    an_event(organizer=f"{psf} ", date="2027-06-01")
    an_event(date="2027-06-01")

    # When their events are listed (of a status, or all)
    ids = listed(organizer=psf, status=status, limit=limit)

    # Then exactly theirs (of that status) are listed, each once, earliest first
    assert sorted(ids) == sorted(e for e, s in theirs.items() if status in (None, s))
    events = [event for page in all_pages(organizer=psf, status=status) for event in page.events]
    assert [dates.sort_key(e.date) for e in events] == sorted(dates.sort_key(e.date) for e in events)


@pytest.mark.parametrize("status", [None, "postponed"])
@pytest.mark.parametrize("limit", [1, 3, 100])
def test_organizer_status_and_range_combine(status, limit):
    # Given an organizer's events inside and outside a range, of two statuses, and another's
    organizer = unique("org")
    created = {
        an_event(organizer=organizer, status=event_status, date=date): (date, event_status)
        for n, date in enumerate(BEFORE + INSIDE + AFTER)
        for event_status in [("postponed", "active")[n % 2]]
    }
    others = [an_event(organizer="someone else", status="postponed", date=date) for date in INSIDE]

    # When the range is listed for that organizer (and status)
    ids = listed(organizer=organizer, status=status, limit=limit, **RANGE)

    # Then their events in the range (of that status) are listed, each once, earliest first
    expected = [e for e, (d, s) in created.items() if d in INSIDE and status in (None, s)]
    assert sorted(ids) == sorted(expected)
    assert not set(ids) & set(others)
    dated = {e: d for e, (d, _) in created.items()}
    assert [dated[e] for e in ids] == by_instant(dated, ids)


def test_the_organizer_index_follows_every_change_and_forgets_a_deleted_event():
    # Given an organizer's event in June
    old, new = unique("old"), unique("new")
    event_id = an_event(organizer=old, date="2027-06-01T10:00:00Z")
    june = {"since": "2027-06-01", "until": "2027-07-01"}
    assert listed(organizer=old, **june) == [event_id]

    # When it is handed to another organizer, then postponed, then moved to July
    update_event(event_id, {"organizer": new})
    assert (listed(organizer=old), listed(organizer=new)) == ([], [event_id])
    update_event(event_id, {"status": "postponed"})
    assert (listed(organizer=new, status="active"), listed(organizer=new, status="postponed")) == (
        [],
        [event_id],
    )
    update_event(event_id, {"date": "2027-07-01T10:00:00Z"})
    assert (listed(organizer=new, **june), listed(organizer=new, since="2027-07-01")) == ([], [event_id])

    # And once deleted, it is listed nowhere
    delete_event(event_id)
    assert listed(organizer=new) == []


# ---------------------------------------------------------------- page tokens


def second_token(**query: Any) -> str:
    token = list_events(next_token=None, limit=1, **{"status": None, **query}).nextToken
    assert token is not None
    return token


@pytest.mark.parametrize(
    ("issued", "used"),
    [
        pytest.param(RANGE, {"since": "2027-06-01"}, id="another-to"),
        pytest.param(RANGE, {**RANGE, "since": "2027-05-31"}, id="another-from"),
        pytest.param(RANGE, {}, id="the-range-dropped"),
        pytest.param({}, RANGE, id="a-range-added"),
        pytest.param({"organizer": "Tests"}, {"organizer": "tests"}, id="another-organizer"),
        pytest.param({"organizer": "Tests"}, {}, id="the-organizer-dropped"),
        pytest.param({}, {"organizer": "Tests"}, id="an-organizer-added"),
        pytest.param({**RANGE, "status": "active"}, RANGE, id="the-status-dropped"),
    ],
)
def test_a_token_used_with_other_parameters_is_refused(issued, used):
    # Given a first page's token of one query
    for date in INSIDE:
        an_event(date=date, organizer="Tests")
    token = second_token(**issued)

    # When it is sent with other parameters, then it is refused: they come from the request
    with pytest.raises(InvalidPageToken):
        list_events(next_token=token, limit=1, **{"status": None, **used})


def test_a_token_for_the_same_range_written_otherwise_resumes():
    for date in INSIDE:
        an_event(date=date)
    token = second_token(**RANGE)
    page = list_events(
        status=None,
        limit=100,
        next_token=token,
        since="2027-06-01T02:00:00+02:00",
        until="2027-06-03T00:00:00Z",
    )
    assert page.count == len(INSIDE) - 1


@pytest.mark.parametrize("status", [None, "active"])
@pytest.mark.parametrize("instant", ["2027-05-31T23:59:59.999999Z", "2027-06-03T00:00:00.000000Z", "zz"])
def test_a_signed_position_outside_the_range_is_refused(status, instant):
    # Given a position outside the range, signed with the server's key (as a leaked key allows)
    an_event(date="2027-06-01")
    position = EventsByStatusCursor(eventId="evt-1", dateUtc=instant)
    scope = listing_scope(status, DateRange.of("2027-06-01", "2027-06-03"), None)
    cursor = position if status else EventsCursor(after={"active": position})
    token = encode_token(scope, cursor)

    # When it is sent for that range, then it is refused before DynamoDB is asked
    with pytest.raises(InvalidPageToken):
        list_events(status=status, limit=1, next_token=token, **RANGE)


# ---------------------------------------------------------------- the first page's cost


@pytest.fixture
def items_read() -> Iterator[list[int]]:
    with reads() as counts:
        yield counts


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({}, id="all"),
        pytest.param(RANGE, id="range"),
        pytest.param({**RANGE, "status": "active"}, id="range-and-status"),
        pytest.param({"organizer": "Busy"}, id="organizer"),
        pytest.param({**RANGE, "organizer": "Busy"}, id="organizer-and-range"),
    ],
)
def test_the_first_page_reads_as_much_whatever_the_table_holds(items_read, query):
    # Given events inside the range, and outside it, of the organizer and of others
    def fill(each: int) -> None:
        for date in INSIDE + BEFORE + AFTER:
            for organizer in ("Busy", "Other"):
                for _ in range(each):
                    an_event(date=date, organizer=organizer)

    def first_page_reads() -> int:
        items_read.clear()
        page = list_events(next_token=None, limit=3, **{"status": None, **query})
        assert page.count == 3
        return sum(items_read)

    fill(1)
    few = first_page_reads()

    # When ten times as many are stored, then the first page reads exactly as many items:
    # at most one more than the page of each status's read
    fill(9)
    assert first_page_reads() == few <= 4 * (3 + 1)
