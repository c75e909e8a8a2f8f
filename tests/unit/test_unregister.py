"""Unregistering: a freed spot goes to the head of the waitlist; leaving the line closes the gap."""

from __future__ import annotations

import pytest

from event_core import errors
from event_core.attendance import event_registrations
from event_core.events import get_event
from event_core.registration import register, unregister
from tests.support.builders import a_user, an_event, placed, register_all, some_users
from tests.support.invariants import assert_invariants, read_event_state


def waitlist_positions(event_id: str) -> list[tuple[str, int | None]]:
    page = event_registrations(event_id, limit=1000, next_token=None)
    assert page.nextToken is None
    return [(r.userId, r.waitlistPosition) for r in page.waitlisted]


def test_leaving_promotes_the_head_of_the_waitlist(ddb):
    # Given a full event with three people waiting
    event_id = an_event(capacity=2, waitlist=True)
    a, b, c, d, e = some_users(5)
    register_all(event_id, [a, b, c, d, e])

    # When a registered person leaves
    result = unregister(event_id, a)

    # Then the first in line takes the spot and the others move up
    assert result.promotedUserId == c
    assert (result.eventId, result.userId) == (event_id, a)
    assert result.message == "Successfully unregistered from event"
    tables = assert_invariants(ddb, event_id)
    assert set(tables.registered) == {b, c}
    assert tables.waitlisted == [d, e]
    assert waitlist_positions(event_id) == [(d, 1), (e, 2)]


def test_promotions_follow_arrival_order(ddb):
    # Given a one-spot event with four people waiting
    event_id = an_event(capacity=1, waitlist=True)
    holder, *line = some_users(5)
    register_all(event_id, [holder, *line])

    # When each confirmed attendee leaves in turn
    promoted = []
    leaving = holder
    for _ in line:
        promoted_id = unregister(event_id, leaving).promotedUserId
        assert promoted_id is not None
        promoted.append(promoted_id)
        leaving = promoted_id
        assert_invariants(ddb, event_id)

    # Then people were promoted exactly in the order they joined the line
    assert promoted == line
    assert assert_invariants(ddb, event_id).registered == [line[-1]]


def test_leaving_the_waitlist_renumbers_the_rest(ddb):
    # Given a full event with four people waiting
    event_id = an_event(capacity=1, waitlist=True)
    holder, w1, w2, w3, w4 = some_users(5)
    register_all(event_id, [holder, w1, w2, w3, w4])

    # When someone in the middle of the line leaves
    result = unregister(event_id, w2)

    # Then nobody is promoted, the spot holder stays, and positions stay contiguous in order
    assert result.promotedUserId is None
    tables = assert_invariants(ddb, event_id)
    assert tables.registered == [holder]
    assert waitlist_positions(event_id) == [(w1, 1), (w3, 2), (w4, 3)]
    event = get_event(event_id).event
    assert (event.registeredCount, event.waitlistCount) == (1, 3)


def test_leaving_the_head_and_tail_of_the_waitlist(ddb):
    # Given a full event with three people waiting
    event_id = an_event(capacity=1, waitlist=True)
    holder, w1, w2, w3 = some_users(4)
    register_all(event_id, [holder, w1, w2, w3])

    # When the head and then the tail leave the line
    unregister(event_id, w1)
    unregister(event_id, w3)

    # Then the one left is first in line, and is the one promoted next
    assert waitlist_positions(event_id) == [(w2, 1)]
    assert unregister(event_id, holder).promotedUserId == w2
    tables = assert_invariants(ddb, event_id)
    assert (tables.registered, tables.waitlisted) == ([w2], [])


def test_leaving_without_a_waitlist_frees_the_spot(ddb):
    # Given an event with two attendees and nobody waiting
    event_id = an_event(capacity=2, waitlist=True)
    a, b = some_users(2)
    register_all(event_id, [a, b])

    # When one leaves
    result = unregister(event_id, a)

    # Then nobody is promoted and the spot is free for the next person
    assert result.promotedUserId is None
    assert get_event(event_id).event.registeredCount == 1
    assert register(event_id, a_user()).status == "registered"
    assert_invariants(ddb, event_id)


def test_rejoining_goes_to_the_back_of_the_line(ddb):
    # Given a full event with two people waiting
    event_id = an_event(capacity=1, waitlist=True)
    holder, w1, w2 = some_users(3)
    register_all(event_id, [holder, w1, w2])

    # When the head of the line leaves and registers again
    unregister(event_id, w1)
    again = placed(event_id, w1)

    # Then they are behind the person who was second
    assert (again.status, again.waitlistPosition) == ("waitlisted", 2)
    assert waitlist_positions(event_id) == [(w2, 1), (w1, 2)]
    assert_invariants(ddb, event_id)


def test_not_registered_is_not_found_and_changes_nothing(ddb):
    # Given an event with one attendee and a user who never registered
    event_id = an_event(capacity=2)
    register(event_id, a_user())
    stranger = a_user()
    before = read_event_state(ddb, event_id)

    # When the stranger unregisters
    with pytest.raises(errors.NotRegistered) as raised:
        unregister(event_id, stranger)

    # Then it is not found and nothing moved
    assert raised.value.detail == "Not registered for this event"
    assert read_event_state(ddb, event_id) == before


def test_unregistering_twice_is_not_found(ddb):
    # Given a person who left an event
    event_id = an_event(capacity=2)
    user_id = a_user()
    register(event_id, user_id)
    unregister(event_id, user_id)

    # When they leave again
    with pytest.raises(errors.NotRegistered):
        unregister(event_id, user_id)

    # Then the counters did not go negative
    assert get_event(event_id).event.registeredCount == 0
    assert_invariants(ddb, event_id)


def test_unregistering_from_a_missing_event_is_event_not_found(ddb):
    with pytest.raises(errors.EventNotFound):
        unregister("evt-never-created", a_user())


@pytest.mark.parametrize(("event_id", "user_id"), [("bad id", "user-1"), ("evt-1", "bad/id"), ("", "")])
def test_invalid_ids_are_not_registered(ddb, event_id, user_id):
    with pytest.raises(errors.NotRegistered):
        unregister(event_id, user_id)
