"""Registration windows: open at registrationOpensAt, closed from registrationClosesAt (by default
the event's start), with the clock under the test's control."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from event_core import admission, errors, events
from event_core.models.events import EventCreate
from event_core.models.registrations import Registration
from event_core.registration import register, registration_status, unregister
from event_core.settings import get_settings
from event_core.store import admission as queue
from tests.support.builders import a_user, an_event, placed, some_users
from tests.support.clock import FrozenClock
from tests.support.invariants import assert_invariants

OPENS = "2027-05-01T09:00:00Z"
CLOSES = "2027-05-10T18:00:00+02:00"  # 16:00 UTC
START = "2027-05-14T09:00:00-04:00"  # 13:00 UTC


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch)


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMISSION_WAIT_SECONDS", "0")
    get_settings.cache_clear()


def windowed(**fields: Any) -> str:
    return an_event(date=START, registrationOpensAt=OPENS, registrationClosesAt=CLOSES, **fields)


def test_registration_opens_exactly_at_its_opening_instant(ddb, frozen):
    event_id = windowed()
    early, first = a_user(), a_user()

    frozen.just_before(OPENS)
    with pytest.raises(errors.RegistrationNotOpenYet, match=r"^Registration opens at 2027-05-01T09:00:00Z$"):
        register(event_id, early)

    frozen.set(OPENS)
    assert placed(event_id, first).status == "registered"
    assert assert_invariants(ddb, event_id).registered == [first]


def test_registration_is_closed_from_its_closing_instant(ddb, frozen):
    event_id = windowed()
    last, late = a_user(), a_user()

    frozen.just_before(CLOSES)
    assert placed(event_id, last).status == "registered"

    frozen.set(CLOSES)
    with pytest.raises(errors.RegistrationClosed, match=r"^Registration closed at 2027-05-10T16:00:00Z$"):
        register(event_id, late)
    assert assert_invariants(ddb, event_id).registered == [last]


@pytest.mark.parametrize(
    ("date", "start"),
    [(START, "2027-05-14T13:00:00Z"), ("2027-05-14", "2027-05-14T00:00:00Z")],
    ids=["date-time", "date-only"],
)
def test_by_default_registration_closes_at_the_events_start(ddb, frozen, date, start):
    event_id = an_event(date=date)
    in_time, too_late = a_user(), a_user()

    frozen.just_before(start)
    assert placed(event_id, in_time).status == "registered"

    frozen.set(start)
    with pytest.raises(errors.RegistrationClosed, match=f"^Registration closed at {start}$"):
        register(event_id, too_late)


def test_a_closing_after_the_start_lets_people_register_late(ddb, frozen):
    event_id = an_event(date=START, registrationClosesAt="2027-05-16T00:00:00Z")

    frozen.set("2027-05-15T12:00:00Z")  # the second day of the event

    assert placed(event_id, a_user()).status == "registered"


def test_a_full_event_outside_its_window_says_the_window_not_the_waitlist(ddb, frozen):
    event_id = windowed(capacity=1, waitlist=False)
    frozen.set(OPENS)
    placed(event_id, a_user())

    frozen.set(CLOSES)
    with pytest.raises(errors.RegistrationClosed):
        register(event_id, a_user())


def base_event(**fields: Any) -> dict[str, Any]:
    return {
        "title": "t",
        "description": "d",
        "date": START,
        "location": "l",
        "capacity": 3,
        "organizer": "o",
        **fields,
    }


@pytest.mark.parametrize(
    "window",
    [
        {"registrationOpensAt": CLOSES, "registrationClosesAt": CLOSES},
        {"registrationOpensAt": "2027-05-11", "registrationClosesAt": CLOSES},
        {"registrationOpensAt": START},  # closes by default at the start: nothing left
    ],
    ids=["equal", "reversed", "opens-at-start"],
)
def test_a_window_that_leaves_no_time_to_register_is_refused(window):
    with pytest.raises(ValidationError, match="registrationOpensAt must be before"):
        EventCreate.model_validate(base_event(**window))


@pytest.mark.parametrize(
    ("value", "kept"),
    [("2027-05-01", "2027-05-01"), ("2027-05-01t09:00:00z", "2027-05-01T09:00:00Z")],
)
def test_window_bounds_take_the_forms_of_an_event_date(value, kept):
    assert EventCreate.model_validate(base_event(registrationOpensAt=value)).registrationOpensAt == kept


@pytest.mark.parametrize("value", ["2027-05-01T09:00:00", "2027-05-01T09:00Z", "soon", "2027-02-29"])
def test_window_bounds_without_an_instant_are_refused(value):
    with pytest.raises(ValidationError):
        EventCreate.model_validate(base_event(registrationClosesAt=value))


@pytest.mark.parametrize(
    "changes",
    [
        {"registrationOpensAt": "2027-05-12T00:00:00Z"},  # after the stored closing
        {"registrationClosesAt": "2027-04-30T00:00:00Z"},  # before the stored opening
    ],
)
def test_an_update_that_empties_the_window_is_refused_and_changes_nothing(ddb, changes):
    event_id = windowed()

    with pytest.raises(errors.InvalidField, match="registrationOpensAt must be before registrationClosesAt"):
        events.update_event(event_id, changes)

    stored = events.get_event(event_id).event
    assert (stored.registrationOpensAt, stored.registrationClosesAt) == (OPENS, CLOSES)


def test_moving_the_start_before_the_opening_of_a_default_window_is_refused(ddb):
    event_id = an_event(date=START, registrationOpensAt=OPENS)

    with pytest.raises(errors.InvalidField, match="before the event's start"):
        events.update_event(event_id, {"date": "2027-04-30"})


def test_an_update_moves_the_window(ddb, frozen):
    event_id = windowed()
    frozen.set(CLOSES)
    with pytest.raises(errors.RegistrationClosed):
        register(event_id, a_user())

    events.update_event(event_id, {"registrationClosesAt": "2027-05-12T00:00:00Z"})

    assert placed(event_id, a_user()).status == "registered"


# ------------------------------------------------------------------ the admission writer


def queued_while_busy(event_id: str, user_ids: list[str]) -> None:
    assert queue.take_lease(event_id, "someone-else", seconds=60)
    for user_id in user_ids:
        register(event_id, user_id)
    queue.release_lease(event_id, "someone-else")


def test_a_request_queued_before_the_close_is_admitted_after_it(ddb, frozen, short_wait):
    # Given two requests queued a moment before registration closes
    event_id = windowed(capacity=5)
    frozen.just_before(CLOSES)
    people = some_users(2)
    queued_while_busy(event_id, people)

    # When the writer admits them after the close
    frozen.set(CLOSES)
    admission.keep_admitting(event_id, seconds=10)

    # Then their arrival counts: both got in
    assert set(assert_invariants(ddb, event_id).registered) == set(people)


def test_a_request_that_arrived_after_the_close_is_refused_by_the_writer(ddb, frozen, short_wait):
    # Given a request that got past the fast check and reached the queue after the close
    # (the check read the window a moment before)
    event_id = windowed(capacity=5)
    frozen.set(CLOSES)
    late = a_user()
    request = queue.enqueue(event_id, late, "2027-05-10T16:00:00.000000Z")

    # When the writer admits the queue
    admission.keep_admitting(event_id, seconds=10)

    # Then it is refused, and the refusal reads back as the window's error
    with pytest.raises(errors.RegistrationClosed, match=r"^Registration is closed$"):
        registration_status(event_id, late, request.key.split("#", 1)[0])
    assert assert_invariants(ddb, event_id).registered == []


def test_a_request_that_arrived_before_the_opening_is_refused_by_the_writer(ddb, frozen, short_wait):
    event_id = windowed(capacity=5)
    early = a_user()
    request = queue.enqueue(event_id, early, "2027-05-01T08:59:59.999999Z")

    frozen.set(OPENS)
    admission.keep_admitting(event_id, seconds=10)

    with pytest.raises(errors.RegistrationNotOpenYet):
        registration_status(event_id, early, request.key.split("#", 1)[0])


# ------------------------------------------------------------------ leaving after the close


def test_leaving_after_the_close_is_allowed_and_the_spot_still_goes_to_the_waitlist(ddb, frozen):
    # Given a full event with someone waiting, registration now closed
    event_id = windowed(capacity=1)
    frozen.set(OPENS)
    holder, waiting = some_users(2)
    placed(event_id, holder)
    assert placed(event_id, waiting).status == "waitlisted"
    frozen.set(CLOSES)

    # When the attendee leaves
    left = unregister(event_id, holder)

    # Then the person waiting (who registered in time) gets the spot
    assert left.promotedUserId == waiting
    assert assert_invariants(ddb, event_id).registered == [waiting]
    assert isinstance(registration_status(event_id, waiting), Registration)


def test_an_event_dated_under_the_old_rules_closes_where_the_listings_place_it(ddb, frozen):
    # Given an event stored before RFC 3339 dates, at 09:00 without an offset (read as UTC)
    event_id = an_event()
    ddb.update_item(
        TableName="EventsTable",
        Key={"eventId": {"S": event_id}},
        UpdateExpression="SET #date = :old",
        ExpressionAttributeNames={"#date": "date"},
        ExpressionAttributeValues={":old": {"S": "2027-05-14T09"}},
    )

    # Then registration closes at 09:00 UTC, and its window can still be edited
    frozen.just_before("2027-05-14T09:00:00Z")
    assert placed(event_id, a_user()).status == "registered"
    frozen.set("2027-05-14T09:00:00Z")
    with pytest.raises(errors.RegistrationClosed, match=r"^Registration closed at 2027-05-14T09:00:00Z$"):
        register(event_id, a_user())
    with pytest.raises(errors.InvalidField):
        events.update_event(event_id, {"registrationOpensAt": "2027-05-14T10:00:00Z"})
