"""Registering: spots first come first served, then the waitlist, never oversold."""

from __future__ import annotations

import pytest

from event_core import errors
from event_core.events import get_event, update_event
from event_core.registration import register
from tests.support.bodies import unique
from tests.support.builders import a_user, an_event, placed, register_all, some_users
from tests.support.invariants import assert_invariants, read_event_state


def test_register_until_full_then_waitlist_in_arrival_order(ddb):
    # Given an event with 2 spots and a waitlist
    event_id = an_event(capacity=2, waitlist=True)
    people = some_users(5)

    # When five people register one after another
    results = register_all(event_id, people)

    # Then the first two hold spots and the rest wait at positions 1..3 in arrival order
    assert [r.status for r in results] == ["registered"] * 2 + ["waitlisted"] * 3
    assert [r.waitlistPosition for r in results] == [None, None, 1, 2, 3]
    assert all(r.eventId == event_id for r in results)
    assert [r.userId for r in results] == people
    tables = assert_invariants(ddb, event_id)
    assert set(tables.registered) == set(people[:2])
    assert tables.waitlisted == people[2:]
    event = get_event(event_id).event
    assert (event.registeredCount, event.waitlistCount) == (2, 3)


def test_registered_response_has_no_position(ddb):
    # Given an event with room
    event_id = an_event(capacity=3)

    # When someone registers
    result = register(event_id, a_user())

    # Then the public shape carries no waitlistPosition at all
    assert "waitlistPosition" not in result.model_dump()
    assert result.status == "registered"


def test_full_event_without_waitlist_says_event_is_full(ddb):
    # Given a full event whose waitlist is off
    event_id = an_event(capacity=1, waitlist=False)
    register(event_id, a_user())
    late = a_user()

    # When one more person registers
    with pytest.raises(errors.EventFull) as raised:
        register(event_id, late)

    # Then it is refused as full and nothing is written for them
    assert raised.value.detail == "Event is full"
    tables = assert_invariants(ddb, event_id)
    assert late not in tables.registered + tables.waitlisted
    assert get_event(event_id).event.waitlistCount == 0


@pytest.mark.parametrize("seat", ["registered", "waitlisted"])
def test_registering_twice_is_a_conflict_and_changes_nothing(ddb, seat):
    # Given a person who already holds a spot (or a place in line)
    event_id = an_event(capacity=1, waitlist=True)
    first, second = some_users(2)
    register_all(event_id, [first, second])
    holder = first if seat == "registered" else second
    before = read_event_state(ddb, event_id)

    # When they register again
    with pytest.raises(errors.AlreadyRegistered) as raised:
        register(event_id, holder)

    # Then it is a conflict and neither their row nor the counters move
    assert raised.value.detail == "Already registered for this event"
    after = assert_invariants(ddb, event_id)
    assert after.rows == before.rows
    assert after.event == before.event


@pytest.mark.parametrize("status", ["cancelled", "completed", "postponed"])
def test_only_active_events_take_registrations(ddb, status):
    # Given an event that is not active
    event_id = an_event(capacity=5, status=status)

    # When someone registers
    with pytest.raises(errors.EventNotOpen):
        register(event_id, a_user())

    # Then no registration exists
    assert read_event_state(ddb, event_id).rows == []
    assert get_event(event_id).event.registeredCount == 0


def test_event_that_turned_inactive_refuses_registrations(ddb):
    # Given an active event that gets cancelled
    event_id = an_event(capacity=5)
    register(event_id, a_user())
    update_event(event_id, {"status": "cancelled"})

    # When someone else registers
    with pytest.raises(errors.EventNotOpen):
        register(event_id, a_user())

    # Then only the earlier registration remains
    assert len(assert_invariants(ddb, event_id).registered) == 1


def test_unknown_user_cannot_register(ddb):
    # Given an event and a user id nobody created
    event_id = an_event(capacity=5)

    # When that id registers
    with pytest.raises(errors.UserNotFound) as raised:
        register(event_id, unique("ghost"))

    # Then it is a 404-kind error and nothing is written
    assert raised.value.detail == "User not found"
    assert read_event_state(ddb, event_id).rows == []


@pytest.mark.parametrize("event_id", ["evt-never-created", "bad id", "", "x" * 101])
def test_unknown_or_invalid_event_is_not_found(ddb, event_id):
    # Given a real user
    user_id = a_user()

    # When they register for an event that does not exist (or cannot exist)
    with pytest.raises(errors.EventNotFound) as raised:
        register(event_id, user_id)

    # Then the event is not found
    assert raised.value.detail == "Event not found"


def test_first_come_first_served_when_waitlist_head_exists(ddb):
    # Given a full event with one person waiting
    event_id = an_event(capacity=1, waitlist=True)
    holder, waiting, newcomer = some_users(3)
    register_all(event_id, [holder, waiting])

    # When a newcomer registers
    result = placed(event_id, newcomer)

    # Then they queue behind the person already waiting
    assert (result.status, result.waitlistPosition) == ("waitlisted", 2)
    assert assert_invariants(ddb, event_id).waitlisted == [waiting, newcomer]


def test_same_user_can_hold_places_at_different_events(ddb):
    # Given two events and one person
    first, second = an_event(capacity=1), an_event(capacity=1)
    user_id = a_user()

    # When they register for both
    results = register_all(first, [user_id]) + register_all(second, [user_id])

    # Then both registrations hold
    assert [r.status for r in results] == ["registered", "registered"]
    assert assert_invariants(ddb, first).registered == [user_id]
    assert assert_invariants(ddb, second).registered == [user_id]
