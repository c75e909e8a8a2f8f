"""Registration windows and check-in end to end, through the local API server (`make dev`'s),
on the real clock: an event starting in an hour is open for registration and for check-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from .drivers import HttpApi
from .factories import create_event, create_users

pytestmark = [pytest.mark.integration, pytest.mark.http]


def from_now(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_in(api: HttpApi, event_id: str, user_id: str):
    return api.call("PUT", f"/events/{event_id}/registrations/{user_id}/check-in")


def test_check_in_at_the_door(http_api: HttpApi):
    # Given an event starting in an hour, one attendee and one person waiting
    event_id = create_event(http_api, capacity=1, waitlistEnabled=True, date=from_now(hours=1))
    attendee, waiting = create_users(http_api, 2)
    assert http_api.register(event_id, attendee).status == 201
    assert http_api.register(event_id, waiting).status == 201

    # When the attendee is checked in, twice, and the person waiting too
    first, again = check_in(http_api, event_id, attendee), check_in(http_api, event_id, attendee)
    refused = check_in(http_api, event_id, waiting)

    # Then one check-in, answered the same both times, counted once; the waiting person refused
    assert (first.status, again.status) == (200, 200)
    assert again.body == first.body
    assert first.body["checkedInAt"]
    assert (refused.status, refused.detail) == (409, "Only registered attendees can be checked in")
    assert http_api.get_event(event_id).body["checkedInCount"] == 1
    listed = http_api.event_registrations(event_id).body
    assert listed["registered"][0]["checkedInAt"] == first.body["checkedInAt"]
    assert http_api.registration(event_id, attendee).body["checkedInAt"] == first.body["checkedInAt"]
    # And the attendee, who came, cannot unregister
    leave = http_api.unregister(event_id, attendee)
    assert (leave.status, leave.detail) == (409, "Checked-in attendees cannot unregister")


def test_registration_outside_its_window_is_409_saying_when(http_api: HttpApi):
    # Given an event whose registration opens tomorrow, and one that started an hour ago
    opens = from_now(days=1)
    later = create_event(http_api, date=from_now(days=3), registrationOpensAt=opens)
    started = create_event(http_api, date=from_now(hours=-1))
    (person,) = create_users(http_api, 1)

    # When someone registers for each
    early, late = http_api.register(later, person), http_api.register(started, person)

    # Then both are refused, saying when registration opens or closed
    assert (early.status, early.detail) == (409, f"Registration opens at {opens}")
    assert late.status == 409
    assert late.detail.startswith("Registration closed at ")
