"""The registration window and check-in through their routes, as API Gateway calls them, with
the clock under the test's control (the seeded evt-sample-1 starts at 17:30 UTC on 2031-03-10)."""

from __future__ import annotations

from typing import Any

import pytest

from event_core import events
from event_core.settings import get_settings
from local_api.samples import sample
from tests.security.test_authorization import as_caller
from tests.support.checkin_invariants import assert_check_ins_consistent
from tests.support.clock import FrozenClock
from tests.support.lambda_runner import invoke

EVENT = "evt-sample-1"
OPENS = "2031-03-01T09:00:00Z"
START = "2031-03-10T17:30:00Z"


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch)


def register(user_id: str = "user-sample-2") -> Any:
    return invoke("register", sample("register", body={"userId": user_id}))


def test_registering_before_the_window_opens_is_409_saying_when(ddb, frozen):
    events.update_event(EVENT, {"registrationOpensAt": OPENS})
    frozen.just_before(OPENS)

    refused = register()

    assert (refused.status, refused.body) == (409, {"detail": "Registration opens at 2031-03-01T09:00:00Z"})
    frozen.set(OPENS)
    assert register().status == 201


def test_registering_from_the_events_start_is_409_saying_when_it_closed(ddb, frozen):
    frozen.set(START)
    refused = register()
    frozen.just_before(START)
    assert register().status == 201

    assert (refused.status, refused.body) == (409, {"detail": "Registration closed at 2031-03-10T17:30:00Z"})


def test_an_empty_window_in_an_update_is_422_in_the_validation_shape(ddb):
    answer = invoke(
        "update_event", sample("update_event", body={"registrationOpensAt": "2031-03-11T00:00:00Z"})
    )

    assert answer.status == 422
    assert answer.body == {
        "detail": [
            {
                "loc": ["body", "registrationOpensAt"],
                "msg": "registrationOpensAt must be before the event's start"
                " (when registration closes by default)",
                "type": "value_error",
            }
        ]
    }


def check_in(user_id: str = "user-sample-1", caller: tuple[str, str] | None = None) -> Any:
    event = sample("check_in", path_params={"userId": user_id})
    return invoke("check_in", as_caller(event, *caller) if caller else event)


def test_check_in_is_idempotent_through_the_route(ddb, frozen):
    frozen.set("2031-03-10T17:00:00Z")
    first = check_in()
    frozen.set("2031-03-10T17:20:00Z")
    again = check_in()

    assert (first.status, again.status) == (200, 200)
    assert again.body == first.body
    assert first.body["checkedInAt"] == "2031-03-10T17:00:00.000000Z"
    assert assert_check_ins_consistent(ddb, EVENT) == 1
    listed = invoke("list_event_registrations", sample("list_event_registrations")).body
    assert listed["registered"][0]["checkedInAt"] == first.body["checkedInAt"]


def test_check_in_refusals_through_the_route(ddb, frozen):
    frozen.set("2031-03-10T17:00:00Z")

    nobody = check_in("user-sample-2")
    frozen.set("2031-03-09T17:29:59Z")
    early = check_in()

    assert (nobody.status, nobody.body) == (404, {"detail": "Not registered for this event"})
    assert early.status == 409
    assert early.body == {"detail": "Check-in is open from 2031-03-09T17:30:00Z to 2031-03-11T17:30:00Z"}
    assert assert_check_ins_consistent(ddb, EVENT) == 0


def test_only_the_events_managers_check_in_with_cognito(ddb, frozen, monkeypatch):
    monkeypatch.setenv("AUTH_MODE", "COGNITO")
    get_settings.cache_clear()
    frozen.set("2031-03-10T17:00:00Z")
    # the seeded event has no owner: only administrators manage it

    attendee = check_in(caller=("user-sample-1", ""))
    organizer = check_in(caller=("olga", "organizers"))
    admin = check_in(caller=("root", "admins"))

    assert (attendee.status, organizer.status, admin.status) == (403, 403, 200)
    assert assert_check_ins_consistent(ddb, EVENT) == 1
