"""Paging through DynamoDB: events (by date, all or by status), an event's list, a user's list.

Each listing holds 250+ items and is read with a page size that does not divide it, so pages
break in the middle of the data (and, for an event, in the middle of the switch from confirmed
attendees to the waitlist). The union of the pages must be every item exactly once, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from event_core import attendance, events, registration, users
from event_core.event_listing import list_events
from event_core.models.events import EventCreate
from event_core.models.users import UserCreate
from tests.support.bodies import event_body, unique
from tests.support.builders import a_crowd_registered
from tests.support.instants import instant_of
from tests.support.invariants import assert_invariants, read_event_state
from tests.support.parallel import run_concurrently

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("local_env")]

MANY = 260
PLACES = 100  # a user's: pages of 45 (three, with five of the events deleted)


def _create_event(body: dict[str, Any]) -> str:
    return events.create_event(EventCreate.model_validate(body)).eventId


def _create_user(user_id: str) -> None:
    users.create_user(UserCreate(userId=user_id, name="U"))


def _create_events(bodies: list[dict[str, Any]]) -> list[str]:
    return run_concurrently([partial(_create_event, body) for body in bodies], workers=16)


def _create_users(count: int) -> list[str]:
    ids = [unique("user") for _ in range(count)]
    run_concurrently([partial(_create_user, u) for u in ids], workers=16)
    return ids


def _all_pages(fetch: Callable[..., Any]) -> list[Any]:
    """Every page of a listing: fetch(next_token=...) until a page has no nextToken."""
    pages: list[Any] = []
    token = None
    while True:
        page = fetch(next_token=token)
        pages.append(page)
        token = page.nextToken
        if token is None:
            return pages
        assert len(pages) < 1000, "paging does not terminate"


# ---------------------------------------------------------------- events


@pytest.fixture
def listed_events() -> dict[str, list[str]]:
    """MANY events: half postponed, half completed, each on its own date."""
    bodies = [
        event_body(
            status="postponed" if n % 2 else "completed",
            date=f"2040-{1 + n // 28:02d}-{1 + n % 28:02d}",
        )
        for n in range(MANY)
    ]
    ids = _create_events(bodies)
    by_status: dict[str, list[str]] = {"postponed": [], "completed": []}
    for body, event_id in zip(bodies, ids, strict=True):
        by_status[body["status"]].append(event_id)
    return by_status


def test_all_events_pages_return_every_event_exactly_once_in_date_order(listed_events):
    # Given MANY events among whatever else the table holds
    mine = set(listed_events["postponed"]) | set(listed_events["completed"])

    # When all of the table is paged through, 97 at a time
    pages = _all_pages(partial(list_events, status=None, limit=97))

    # Then no page is oversized, no event repeats, all of ours are there, earliest first
    listed = [e for page in pages for e in page.events]
    seen = [e.eventId for e in listed]
    assert all(page.count == len(page.events) <= 97 for page in pages)
    assert len(seen) == len(set(seen))
    assert mine <= set(seen)
    assert len(pages) >= 3
    assert [instant_of(e.date) for e in listed] == sorted(instant_of(e.date) for e in listed)


def test_status_query_pages_return_that_status_only_in_date_order(listed_events):
    # Given MANY events, half of them completed
    completed, postponed = set(listed_events["completed"]), set(listed_events["postponed"])

    # When the completed ones are paged through the status index, 40 at a time
    pages = _all_pages(partial(list_events, status="completed", limit=40))

    # Then each of ours appears exactly once, only completed events appear, sorted by date
    listed = [e for page in pages for e in page.events]
    ids = [e.eventId for e in listed]
    assert all(len(page.events) <= 40 for page in pages)
    assert len(ids) == len(set(ids))
    assert completed <= set(ids)
    assert not postponed & set(ids)
    assert {e.status for e in listed} == {"completed"}
    assert [instant_of(e.date) for e in listed] == sorted(instant_of(e.date) for e in listed)


# Local times whose text order is not their order in time, earliest instant first
MIXED_OFFSETS = [
    "2041-06-01",  # 00:00 UTC on 1 June (a day: its start in UTC)
    "2041-06-02T01:00:00+09:00",  # 16:00 UTC on 1 June
    "2041-06-02",  # 00:00 UTC on 2 June
    "2041-06-01T23:30:00-05:00",  # 04:30 UTC on 2 June
    "2041-06-02T05:00:00.25Z",  # 05:00:00.25 UTC on 2 June
    "2041-06-02T05:00:00.5+00:00",  # 05:00:00.5 UTC on 2 June
    "2041-06-02T00:00:00-14:00",  # 14:00 UTC on 2 June
]


@pytest.mark.parametrize("status", [None, "cancelled"])
def test_events_with_mixed_offsets_are_listed_by_their_instant(status):
    # Given events in time zones around the world, created at once
    ids = _create_events([event_body(status="cancelled", date=date) for date in MIXED_OFFSETS])

    # When the listing is paged through, all events or by status (the table holds other tests'
    # events too: pages breaking among ours are the unit tests' and the test above's business)
    pages = _all_pages(partial(list_events, status=status, limit=50))

    # Then ours come in the order of their instants, and so does every listed event
    listed = [e for page in pages for e in page.events]
    assert [e.eventId for e in listed if e.eventId in ids] == ids
    assert [instant_of(e.date) for e in listed] == sorted(instant_of(e.date) for e in listed)


# ---------------------------------------------------------------- an event's registrations


def test_event_registration_pages_list_confirmed_then_waitlist_in_order(ddb_client):
    # Given an event of capacity MANY/2 with MANY/2 more people waiting, after ten others left
    event_id = _create_events([event_body(capacity=MANY // 2, waitlistEnabled=True)])[0]
    people = _create_users(MANY + 10)
    a_crowd_registered(event_id, people)
    for user_id in people[MANY // 2 + 3 : MANY // 2 + 13]:
        registration.unregister(event_id, user_id)
    state = read_event_state(ddb_client, event_id)
    assert (len(state.registered), len(state.waitlisted)) == (MANY // 2, MANY // 2)

    # When the registrations are paged through, with pages that straddle the switch to the
    # waitlist (37) and with pages that end exactly at it (MANY/2)
    for limit in (37, MANY // 2):
        pages = _all_pages(partial(attendance.event_registrations, event_id, limit=limit))

        # Then pages respect the limit and hold confirmed people first, then the queue
        assert all(len(p.registered) + len(p.waitlisted) <= limit for p in pages)
        phases = [kind for p in pages for kind in ["r"] * len(p.registered) + ["w"] * len(p.waitlisted)]
        assert phases == sorted(phases)
        assert all((p.registeredCount, p.waitlistCount) == (MANY // 2, MANY // 2) for p in pages)

        # And every confirmed person appears once, in confirmation order
        assert [r.userId for p in pages for r in p.registered] == state.registered

        # And the queue follows the tickets, positions continuing 1..n across pages
        waitlisted = [r for p in pages for r in p.waitlisted]
        assert [r.userId for r in waitlisted] == state.waitlisted
        assert [r.waitlistPosition for r in waitlisted] == list(range(1, MANY // 2 + 1))
        assert {r.status for r in waitlisted} == {"waitlisted"}
    assert_invariants(ddb_client, event_id)


# ---------------------------------------------------------------- a user's registrations


def test_user_registration_pages_list_every_live_place_once_in_sign_up_order(ddb_client):
    # Given a user with a place at PLACES events: waiting first in line at every third one
    user_id, holder = _create_users(2)
    event_ids = _create_events([event_body(capacity=1, waitlistEnabled=True) for _ in range(PLACES)])
    full = set(event_ids[::3])
    run_concurrently([partial(registration.register, e, holder) for e in full], workers=16)
    for event_id in event_ids:  # one at a time: the sign-up order is the expected listing order
        registration.register(event_id, user_id)
    # ...and five of those events are deleted since
    deleted = set(event_ids[10:15])
    for event_id in deleted:
        events.delete_event(event_id)

    # When the user's registrations are paged through, 45 at a time
    pages = _all_pages(partial(attendance.user_registrations, user_id, limit=45))

    # Then every live place is listed once, in sign-up order, with its status and position
    listed = [r for page in pages for r in page.registrations]
    assert all(page.count == len(page.registrations) <= 45 for page in pages)
    assert [r.eventId for r in listed] == [e for e in event_ids if e not in deleted]
    for entry in listed:
        if entry.eventId in full:
            assert (entry.status, entry.waitlistPosition) == ("waitlisted", 1)
        else:
            assert (entry.status, entry.waitlistPosition) == ("registered", None)
    assert_invariants(ddb_client, *event_ids, user_ids=(user_id, holder))


# ---------------------------------------------------------------- the last page


def _pages_of(fetch: Callable[..., Any], limit: int) -> list[int]:
    """How many entries each page of a listing holds, read `limit` at a time."""
    return [len(_entries(page)) for page in _all_pages(partial(fetch, limit=limit))]


def _entries(page: Any) -> list[Any]:
    if hasattr(page, "events"):
        return list(page.events)
    if hasattr(page, "registered"):
        return [*page.registered, *page.waitlisted]
    return list(page.registrations)


def _registered(event_id: str, user_ids: list[str]) -> None:
    for user_id in user_ids:
        registration.register(event_id, user_id)


@pytest.mark.parametrize("limit", [2, 4])
@pytest.mark.parametrize("capacity", [4, 2], ids=["attendees", "attendees-and-waitlist"])
def test_a_full_last_page_of_an_events_list_has_no_next_token(capacity, limit):
    # Given an event with four people on its list (all in, or two in and two waiting)
    event_id = _create_event(event_body(capacity=capacity, waitlistEnabled=True))
    _registered(event_id, _create_users(4))

    # When it is paged through `limit` at a time, then every page is full: DynamoDB's
    # LastEvaluatedKey on an exactly full page leads to no empty page
    fetch = partial(attendance.event_registrations, event_id)
    assert _pages_of(fetch, limit) == [limit] * (4 // limit)


@pytest.mark.parametrize("limit", [2, 4])
def test_a_full_last_page_of_a_users_list_has_no_next_token(limit):
    user_id = _create_users(1)[0]
    for _ in range(4):
        registration.register(_create_event(event_body()), user_id)

    assert _pages_of(partial(attendance.user_registrations, user_id), limit) == [limit] * (4 // limit)


@pytest.mark.parametrize("status", [None, "cancelled"])
def test_a_full_last_page_of_events_has_no_next_token(status):
    # Given the events the table holds now (at least one of the status), counted
    _create_event(event_body(status=status or "active"))
    total = sum(_pages_of(partial(list_events, status=status), 1000))

    # When they are read a page of exactly that many, then one full page and no token
    assert _pages_of(partial(list_events, status=status), total) == [total]
