"""Paging through events, an event's registrations and a user's registrations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest.mock import Mock

import pytest
from botocore.exceptions import ClientError

from event_core.attendance import event_registrations, user_registrations
from event_core.errors import ListingNotReady
from event_core.event_listing import list_events
from event_core.events import update_event
from event_core.registration import register, unregister
from event_core.store import events as event_store
from event_core.store.events import DatedPage
from tests.support.builders import a_user, an_event, register_all, some_users
from tests.support.invariants import assert_invariants


def all_pages(fetch: Callable[[str | None], Any], *, max_pages: int = 100) -> list[Any]:
    """Follow nextToken from the first page to the last; every page is returned."""
    pages = [fetch(None)]
    while pages[-1].nextToken is not None:
        assert len(pages) < max_pages, "nextToken never ran out"
        pages.append(fetch(pages[-1].nextToken))
    return pages


@pytest.mark.parametrize("limit", [1, 3, 7, 8, 100])
def test_events_pages_cover_every_event_once(ddb, limit):
    # Given seven events
    created = {an_event(date=f"2027-01-{day:02d}") for day in range(1, 8)}

    # When paging through all events
    pages = all_pages(lambda token: list_events(status=None, limit=limit, next_token=token))

    # Then every event appears exactly once, no page is over the limit, counts match
    listed = [e.eventId for page in pages for e in page.events]
    assert sorted(listed) == sorted(created)
    assert all(len(page.events) <= limit and page.count == len(page.events) for page in pages)


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_events_by_status_page_in_date_order(ddb, limit):
    # Given cancelled events on various dates, among active ones
    dates = ["2027-03-01", "2027-01-15", "2027-02-10", "2027-01-01T09:30:00Z"]
    cancelled = {an_event(status="cancelled", date=d): d for d in dates}
    for day in range(1, 4):
        an_event(status="active", date=f"2027-01-0{day}")

    # When paging through the cancelled ones
    pages = all_pages(lambda token: list_events(status="cancelled", limit=limit, next_token=token))

    # Then exactly those are listed, earliest date first
    listed = [e for page in pages for e in page.events]
    assert {e.eventId for e in listed} == set(cancelled)
    assert len(listed) == len(cancelled)
    assert [e.date for e in listed] == sorted(dates)
    assert all(e.status == "cancelled" for e in listed)


# Local dates whose text order is not their order in time: listed by instant, a date-only value at
# the start of its day in UTC.
BY_INSTANT = [
    "2027-06-01",  # 00:00 UTC on 1 June
    "2027-06-02T01:00:00+09:00",  # 16:00 UTC on 1 June
    "2027-06-01T23:30:00-05:00",  # 04:30 UTC on 2 June
    "2027-06-02T05:00:00.5z",  # 05:00:00.5 UTC on 2 June (lower-case z, as RFC 3339 allows)
    "2027-06-01T23:59:59-14:00",  # 13:59:59 UTC on 2 June
]


@pytest.mark.parametrize("status", [None, "postponed"])
@pytest.mark.parametrize("limit", [1, 2, 100])
def test_events_are_listed_by_instant_whatever_their_offset(ddb, status, limit):
    # Given events created in an order that is neither their text order nor their order in time
    created = {date: an_event(status="postponed", date=date) for date in reversed(BY_INSTANT)}

    # When paging through them, all events or by status
    pages = all_pages(lambda token: list_events(status=status, limit=limit, next_token=token))

    # Then they come in the order of their instants, each once, with the dates as sent (T and Z
    # in upper case)
    listed = [e for page in pages for e in page.events]
    assert [e.eventId for e in listed] == [created[date] for date in BY_INSTANT]
    assert [e.date for e in listed] == [date.upper() for date in BY_INSTANT]


def test_a_read_cut_short_by_dynamodb_ends_the_page_before_what_may_come_after_it(ddb, monkeypatch):
    # Given events of three statuses interleaved in time, some statuses several in a row
    statuses = ["active", "active", "cancelled", "active", "completed", "completed", "cancelled", "active"]
    dates = [f"2027-06-01T{hour:02d}:00:00+02:00" for hour in range(len(statuses))]
    created = {date: an_event(status=status, date=date) for status, date in zip(statuses, dates, strict=True)}
    # ...and an index that answers one event a read, as DynamoDB does when a read reaches 1 MB
    read = event_store.by_date

    def cut_short(status: str, *, limit: int, after: Any, **filters: Any) -> DatedPage:
        page = read(status, limit=limit, after=after, **filters)
        return DatedPage(page.events[:1], page.events[0].position) if len(page.events) > 1 else page

    monkeypatch.setattr(event_store, "by_date", cut_short)

    # When all events are paged through, four at a time
    pages = all_pages(lambda token: list_events(status=None, limit=4, next_token=token))

    # Then they still come in time order, each once
    assert [e.eventId for page in pages for e in page.events] == [created[date] for date in dates]


def test_a_new_date_moves_the_event_in_the_listing(ddb):
    # Given two events on consecutive days
    first, second = an_event(date="2027-06-01"), an_event(date="2027-06-02")

    # When the first moves to the evening of the second day, Tokyo time (09:00 UTC)
    update_event(first, {"date": "2027-06-02T18:00:00+09:00"})

    # Then it is listed after the second, by status and among all
    for status in ("active", None):
        listed = list_events(status=status, limit=10, next_token=None).events
        assert [e.eventId for e in listed] == [second, first]


def test_status_listing_follows_status_changes(ddb):
    # Given an active event that gets postponed
    event_id = an_event(status="active")
    update_event(event_id, {"status": "postponed"})

    # When listing by status
    active = list_events(status="active", limit=10, next_token=None)
    postponed = list_events(status="postponed", limit=10, next_token=None)

    # Then it shows up only under its new status
    assert active.events == []
    assert [e.eventId for e in postponed.events] == [event_id]


def test_empty_listing_has_no_token(ddb):
    page = list_events(status="completed", limit=5, next_token=None)
    assert (page.events, page.count, page.nextToken) == ([], 0, None)


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5, 9, 100])
def test_event_registrations_page_registered_then_waitlist(ddb, limit):
    # Given 3 attendees and 5 people waiting
    event_id = an_event(capacity=3, waitlist=True)
    people = some_users(8)
    register_all(event_id, people)

    # When paging through the event's registrations
    pages = all_pages(lambda token: event_registrations(event_id, limit=limit, next_token=token))

    # Then attendees come first, then the line with positions 1..5 continuing across pages
    registered = [r for page in pages for r in page.registered]
    waitlisted = [r for page in pages for r in page.waitlisted]
    assert {r.userId for r in registered} == set(people[:3])
    assert len(registered) == 3
    assert all(r.status == "registered" and r.waitlistPosition is None for r in registered)
    assert [(r.userId, r.waitlistPosition) for r in waitlisted] == [
        (user_id, n) for n, user_id in enumerate(people[3:], start=1)
    ]
    assert all(r.status == "waitlisted" for r in waitlisted)
    for page in pages:
        assert len(page.registered) + len(page.waitlisted) <= limit
        assert (page.registeredCount, page.waitlistCount) == (3, 5)
        assert page.eventId == event_id
    first_waiting_page = next(i for i, page in enumerate(pages) if page.waitlisted)
    assert all(not page.registered for page in pages[first_waiting_page + 1 :])
    assert assert_invariants(ddb, event_id).waitlisted == people[3:]


def test_event_registrations_without_waitlist_end(ddb):
    # Given an event with two attendees and nobody waiting
    event_id = an_event(capacity=5)
    people = some_users(2)
    register_all(event_id, people)

    # When paging one at a time
    pages = all_pages(lambda token: event_registrations(event_id, limit=1, next_token=token))

    # Then both are listed, the waitlist is empty, and the paging ends
    assert sorted(r.userId for page in pages for r in page.registered) == sorted(people)
    assert [r for page in pages for r in page.waitlisted] == []


def test_event_registrations_when_everyone_waits(ddb):
    # Given a cancelled event where every attendee left but two people still wait
    event_id = an_event(capacity=1, waitlist=True)
    holder, w1, w2 = some_users(3)
    register_all(event_id, [holder, w1, w2])
    update_event(event_id, {"status": "cancelled"})
    unregister(event_id, holder)
    assert_invariants(ddb, event_id)

    # When paging one at a time
    pages = all_pages(lambda token: event_registrations(event_id, limit=1, next_token=token))

    # Then the line is listed in order
    assert [(r.userId, r.waitlistPosition) for page in pages for r in page.waitlisted] == [(w1, 1), (w2, 2)]
    assert [r for page in pages for r in page.registered] == []


def test_registered_list_is_in_confirmation_order(ddb):
    # Given people who registered one after another, and one promoted later
    event_id = an_event(capacity=3, waitlist=True)
    a, b, c, d = some_users(4)
    register_all(event_id, [a, b, c, d])
    unregister(event_id, b)

    # When listing
    page = event_registrations(event_id, limit=10, next_token=None)

    # Then the registered list follows the order they got their spots
    assert [r.userId for r in page.registered] == [a, c, d]
    assert assert_invariants(ddb, event_id).registered == [a, c, d]


@pytest.mark.parametrize("limit", [1, 2, 4, 100])
def test_user_registrations_page_through_every_event(ddb, limit):
    # Given a user registered at three events and waiting at two
    user_id = a_user()
    open_events = [an_event(capacity=5, title=f"Open {i}") for i in range(3)]
    full_events = [an_event(capacity=1, waitlist=True, title=f"Full {i}") for i in range(2)]
    for event_id in full_events:
        register(event_id, a_user())
        register(event_id, a_user())
    for event_id in [*open_events, *full_events]:
        register(event_id, user_id)

    # When paging through the user's registrations
    pages = all_pages(lambda token: user_registrations(user_id, limit=limit, next_token=token))

    # Then every event is listed once, in sign-up order, with the status and place in line
    entries = [r for page in pages for r in page.registrations]
    assert [r.eventId for r in entries] == [*open_events, *full_events]
    assert [(r.status, r.waitlistPosition) for r in entries] == [("registered", None)] * 3 + [
        ("waitlisted", 2)
    ] * 2
    assert [r.eventTitle for r in entries] == ["Open 0", "Open 1", "Open 2", "Full 0", "Full 1"]
    assert all(r.eventDate == "2031-05-01" for r in entries)
    for page in pages:
        assert page.count == len(page.registrations) <= limit
    for event_id in [*open_events, *full_events]:
        assert_invariants(ddb, event_id)


def test_user_registrations_follow_promotion_and_leaving(ddb):
    # Given a user waiting second in line, and registered at another event
    user_id = a_user()
    full = an_event(capacity=1, waitlist=True)
    holder, ahead = some_users(2)
    register_all(full, [holder, ahead, user_id])
    elsewhere = an_event(capacity=3)
    register(elsewhere, user_id)

    # When the person ahead is promoted and the user leaves the other event
    unregister(full, holder)
    unregister(elsewhere, user_id)

    # Then the user is first in line at the full event and the other event is gone from the list
    page = user_registrations(user_id, limit=10, next_token=None)
    assert [(r.eventId, r.status, r.waitlistPosition) for r in page.registrations] == [
        (full, "waitlisted", 1)
    ]
    assert assert_invariants(ddb, full).waitlisted == [user_id]
    assert assert_invariants(ddb, elsewhere).rows == []


def test_positions_on_a_later_page_are_as_of_its_read(ddb):
    # Given 3 registered and 7 waiting, and the first page of 5 read
    event_id = an_event(capacity=3, waitlist=True)
    people = some_users(10)
    register_all(event_id, people)
    first = event_registrations(event_id, limit=5, next_token=None)
    assert [w.waitlistPosition for w in first.waitlisted] == [1, 2]

    # When the first person waiting leaves before page 2 is read
    unregister(event_id, people[3])
    second = event_registrations(event_id, limit=5, next_token=first.nextToken)

    # Then page 2 shows the places people hold now: no gap where the leaver was
    assert [w.userId for w in second.waitlisted] == people[5:10]
    assert [w.waitlistPosition for w in second.waitlisted] == [2, 3, 4, 5, 6]


@pytest.mark.parametrize("status", [None, "active"])
@pytest.mark.parametrize(
    ("index", "query"),
    [(event_store.STATUS_INDEX, {}), (event_store.ORGANIZER_INDEX, {"organizer": "Tests"})],
    ids=["by-status", "by-organizer"],
)
def test_listing_without_its_index_is_busy_not_an_error(ddb, status, index, query):
    # Given the events table without the index (made by an older template)
    an_event()
    ddb.update_table(TableName="EventsTable", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": index}}])

    # When events are listed, then the answer is "busy, retry" (503), not a failure
    with pytest.raises(ListingNotReady):
        list_events(status=status, limit=10, next_token=None, **query)


def test_listing_while_its_index_is_being_built_is_busy_not_an_error(ddb, monkeypatch):
    # Given DynamoDB answering as AWS does while a GSI that a stack update added is backfilling
    message = f"Cannot read from backfilling global secondary index: {event_store.STATUS_INDEX}"
    refusal = ClientError({"Error": {"Code": "ValidationException", "Message": message}}, "Query")
    client = event_store.dynamodb()
    monkeypatch.setattr(client, "query", Mock(side_effect=refusal))

    # When events are listed, then the answer is "busy, retry" (503), not a failure
    with pytest.raises(ListingNotReady):
        list_events(status=None, limit=10, next_token=None)
