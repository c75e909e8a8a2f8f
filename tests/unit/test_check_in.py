"""Check-in at the door: registered attendees only, once, within a day either side of the start."""

from __future__ import annotations

import pytest

from event_core import errors, events
from event_core.attendance import event_registrations
from event_core.authorization import Manager
from event_core.check_in import check_in
from event_core.models.registrations import Registration
from event_core.registration import registration_status, unregister
from tests.support.builders import a_user, an_event, placed, register_all, some_users
from tests.support.checkin_invariants import assert_check_ins_consistent
from tests.support.clock import FrozenClock
from tests.support.invariants import assert_invariants

START = "2027-05-14T09:00:00-04:00"  # 13:00 UTC
DOORS = "2027-05-14T12:30:00Z"


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch)


def an_attendee() -> tuple[str, str]:
    event_id = an_event(date=START)
    user_id = a_user()
    placed(event_id, user_id)
    return event_id, user_id


def test_checking_in_stamps_the_registration_and_counts_once(ddb, frozen):
    event_id, user_id = an_attendee()
    frozen.set(DOORS)

    answer = check_in(event_id, user_id)

    assert (answer.eventId, answer.userId, answer.status) == (event_id, user_id, "registered")
    assert answer.checkedInAt == "2027-05-14T12:30:00.000000Z"
    assert events.get_event(event_id).event.checkedInCount == 1
    assert assert_check_ins_consistent(ddb, event_id) == 1
    assert_invariants(ddb, event_id)


def test_a_second_check_in_answers_the_first_and_changes_nothing(ddb, frozen):
    event_id, user_id = an_attendee()
    frozen.set(DOORS)
    first = check_in(event_id, user_id)
    before = ddb.scan(TableName="RegistrationsTable", ConsistentRead=True)["Items"]

    frozen.set("2027-05-14T14:00:00Z")
    again = check_in(event_id, user_id)

    assert again == first
    assert ddb.scan(TableName="RegistrationsTable", ConsistentRead=True)["Items"] == before
    assert events.get_event(event_id).event.checkedInCount == 1


def test_checked_in_shows_in_the_attendee_list_and_the_registration(ddb, frozen):
    event_id = an_event(date=START, capacity=2)
    ana, ben, cleo = some_users(3)
    register_all(event_id, [ana, ben, cleo])
    frozen.set(DOORS)
    check_in(event_id, ana)

    page = event_registrations(event_id, limit=10, next_token=None)

    shown = {r.userId: r.checkedInAt for r in page.registered}
    assert shown == {ana: "2027-05-14T12:30:00.000000Z", ben: None}
    assert page.waitlisted[0].checkedInAt is None
    mine, theirs = registration_status(event_id, ana), registration_status(event_id, ben)
    assert isinstance(mine, Registration)
    assert mine.checkedInAt == "2027-05-14T12:30:00.000000Z"
    assert "checkedInAt" not in theirs.model_dump()


@pytest.mark.parametrize(
    ("now", "open_"),
    [
        ("2027-05-13T12:59:59.999999Z", False),
        ("2027-05-13T13:00:00Z", True),
        ("2027-05-15T12:59:59.999999Z", True),
        ("2027-05-15T13:00:00Z", False),
    ],
    ids=["a-tick-before-24h-before", "24h-before", "a-tick-before-24h-after", "24h-after"],
)
def test_check_in_is_open_from_a_day_before_the_start_until_a_day_after(ddb, frozen, now, open_):
    event_id, user_id = an_attendee()
    frozen.set(now)

    if open_:
        assert check_in(event_id, user_id).checkedInAt is not None
    else:
        message = "^Check-in is open from 2027-05-13T13:00:00Z to 2027-05-15T13:00:00Z$"
        with pytest.raises(errors.CheckInNotOpen, match=message):
            check_in(event_id, user_id)
        assert events.get_event(event_id).event.checkedInCount == 0
    assert_check_ins_consistent(ddb, event_id)


def test_someone_waiting_is_not_checked_in(ddb, frozen):
    event_id = an_event(date=START, capacity=1)
    holder, waiting = some_users(2)
    register_all(event_id, [holder, waiting])
    frozen.set(DOORS)

    with pytest.raises(errors.NotAnAttendee, match=r"^Only registered attendees can be checked in$"):
        check_in(event_id, waiting)
    assert assert_check_ins_consistent(ddb, event_id) == 0


def test_someone_without_a_registration_is_not_found(ddb, frozen):
    event_id, _ = an_attendee()
    frozen.set(DOORS)

    with pytest.raises(errors.NotRegistered):
        check_in(event_id, a_user())
    with pytest.raises(errors.NotRegistered):
        check_in(event_id, "not an id")
    with pytest.raises(errors.EventNotFound):
        check_in("missing-event", a_user())


def test_only_the_events_managers_check_people_in(ddb, frozen):
    event_id = an_event(date=START)
    # created by EVERY_EVENT (no owner recorded): hand it to olga as an administrator would
    events.update_event(event_id, {"ownerId": "olga"})
    user_id = a_user()
    placed(event_id, user_id)
    frozen.set(DOORS)

    with pytest.raises(errors.Forbidden):
        check_in(event_id, user_id, manager=Manager(user_id="oscar", administers=False))
    assert events.get_event(event_id).event.checkedInCount == 0

    assert check_in(event_id, user_id, manager=Manager(user_id="olga", administers=False)).checkedInAt


def test_a_cancelled_event_checks_nobody_in(ddb, frozen):
    event_id, user_id = an_attendee()
    events.update_event(event_id, {"status": "cancelled"})
    frozen.set(DOORS)

    with pytest.raises(errors.CheckInNotOpen, match="cancelled"):
        check_in(event_id, user_id)


def test_a_checked_in_attendee_cannot_unregister(ddb, frozen):
    event_id = an_event(date=START, capacity=1)
    holder, waiting = some_users(2)
    register_all(event_id, [holder, waiting])
    frozen.set(DOORS)
    check_in(event_id, holder)

    with pytest.raises(errors.CheckedInCannotLeave):
        unregister(event_id, holder)

    tables = assert_invariants(ddb, event_id)
    assert (tables.registered, tables.waitlisted) == ([holder], [waiting])
    assert assert_check_ins_consistent(ddb, event_id) == 1
