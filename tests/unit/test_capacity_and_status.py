"""Event updates that open spots: capacity raises, re-activation, and the waitlist switch."""

from __future__ import annotations

import pytest

from event_core import errors, events, waitlist
from event_core.events import get_event, update_event
from event_core.registration import register, unregister
from event_core.waitlist import MAX_PROMOTIONS_PER_WRITE
from tests.support.builders import a_crowd_registered, a_user, an_event, placed, register_all, some_users
from tests.support.invariants import assert_invariants, read_event_state


def full_event_with_waitlist(capacity: int, waiting: int) -> tuple[str, list[str], list[str]]:
    """An event with every spot taken and `waiting` people in line; returns (id, holders, line)."""
    event_id = an_event(capacity=capacity, waitlist=True)
    people = some_users(capacity + waiting)
    a_crowd_registered(event_id, people)
    return event_id, people[:capacity], people[capacity:]


@pytest.mark.parametrize("raise_by", [1, 2, 3])
def test_capacity_raise_promotes_that_many_in_order(ddb, raise_by):
    # Given a full event with four people waiting
    event_id, holders, line = full_event_with_waitlist(capacity=2, waiting=4)

    # When capacity goes up by k
    updated = update_event(event_id, {"capacity": 2 + raise_by}).event

    # Then the first k in line are promoted and the rest keep their order
    tables = assert_invariants(ddb, event_id)
    assert set(tables.registered) == set(holders + line[:raise_by])
    assert tables.waitlisted == line[raise_by:]
    assert (updated.capacity, updated.registeredCount, updated.waitlistCount) == (
        2 + raise_by,
        2 + raise_by,
        4 - raise_by,
    )


def test_capacity_raise_beyond_the_waitlist_promotes_everyone_and_leaves_spots(ddb):
    # Given a full event with two people waiting
    event_id, holders, line = full_event_with_waitlist(capacity=1, waiting=2)

    # When capacity goes well past everyone
    updated = update_event(event_id, {"capacity": 10}).event

    # Then everyone is in, the line is empty and new registrations take spots directly
    assert (updated.registeredCount, updated.waitlistCount) == (3, 0)
    assert register(event_id, a_user()).status == "registered"
    tables = assert_invariants(ddb, event_id)
    assert set(tables.registered) >= set(holders + line)
    assert tables.waitlisted == []


@pytest.mark.long
def test_capacity_raise_larger_than_one_write_promotes_all_in_chunks(ddb):
    # Given a one-spot event with more people waiting than one transaction can promote
    waiting = MAX_PROMOTIONS_PER_WRITE + 5
    event_id, holders, line = full_event_with_waitlist(capacity=1, waiting=waiting)

    # When capacity rises to hold everyone
    updated = update_event(event_id, {"capacity": 1 + waiting}).event

    # Then all of them are promoted, and the response counts say so
    assert (updated.registeredCount, updated.waitlistCount) == (1 + waiting, 0)
    tables = assert_invariants(ddb, event_id)
    assert set(tables.registered) == set(holders + line)
    assert tables.waitlisted == []


@pytest.mark.parametrize(
    ("waiting", "raise_by"),
    [(3, 3), (7, 3), (7, 6), (7, 7), (9, 6), (4, 20)],
    ids=["one-chunk-exactly", "one-chunk-of-more", "two-chunks", "two-chunks-and-one", "two-exact", "all"],
)
def test_chunked_promotions_keep_queue_order(ddb, monkeypatch, waiting, raise_by):
    # Given promotions limited to 3 per write, and a full event with people waiting
    monkeypatch.setattr(waitlist, "MAX_PROMOTIONS_PER_WRITE", 3)
    monkeypatch.setattr(events, "MAX_PROMOTIONS_PER_WRITE", 3)
    event_id, holders, line = full_event_with_waitlist(capacity=1, waiting=waiting)

    # When capacity rises by k
    updated = update_event(event_id, {"capacity": 1 + raise_by}).event

    # Then exactly the first min(k, waiting) in line are promoted; the rest wait in order
    promoted = min(raise_by, waiting)
    assert (updated.registeredCount, updated.waitlistCount) == (1 + promoted, waiting - promoted)
    tables = assert_invariants(ddb, event_id)
    assert set(tables.registered) == set(holders + line[:promoted])
    assert tables.waitlisted == line[promoted:]
    assert get_event(event_id).event == updated


def test_lowering_capacity_below_registered_is_refused_and_changes_nothing(ddb):
    # Given an event with three attendees
    event_id = an_event(capacity=5)
    register_all(event_id, some_users(3))
    before = read_event_state(ddb, event_id)

    # When capacity is set below three, along with another field
    with pytest.raises(errors.CapacityBelowRegistered):
        update_event(event_id, {"capacity": 2, "title": "Should not stick"})

    # Then nothing changed, not even the other field
    assert read_event_state(ddb, event_id) == before


def test_edits_that_leave_capacity_alone_are_not_judged_against_the_attendee_count(ddb):
    # Given an event whose stored attendee count exceeds its capacity (data written before a
    # capacity rule, or by hand): the capacity check must not block unrelated edits
    event_id = an_event(capacity=5)
    register_all(event_id, some_users(3))
    ddb.update_item(
        TableName="EventsTable",
        Key={"eventId": {"S": event_id}},
        UpdateExpression="SET #capacity = :one",
        ExpressionAttributeNames={"#capacity": "capacity"},
        ExpressionAttributeValues={":one": {"N": "1"}},
    )

    # When the waitlist is switched on and the title edited
    updated = update_event(event_id, {"waitlistEnabled": True, "title": "Still editable"}).event

    # Then both apply; a capacity change is still refused
    assert (updated.waitlistEnabled, updated.title) == (True, "Still editable")
    with pytest.raises(errors.CapacityBelowRegistered):
        update_event(event_id, {"capacity": 2})


def test_lowering_capacity_to_the_registered_count_is_allowed(ddb):
    # Given an event with three attendees and room for five
    event_id = an_event(capacity=5, waitlist=True)
    register_all(event_id, some_users(3))

    # When capacity drops to exactly three
    updated = update_event(event_id, {"capacity": 3}).event

    # Then it is full and the next person waits
    assert updated.capacity == 3
    assert register(event_id, a_user()).status == "waitlisted"
    assert_invariants(ddb, event_id)


def test_plain_edit_changes_fields_and_revision_but_not_counters(ddb):
    # Given an event with one attendee
    event_id = an_event(capacity=5)
    register(event_id, a_user())
    before = get_event(event_id)

    # When the title and date change
    after = update_event(event_id, {"title": "New title", "date": "2027-09-09"}).stored

    # Then the fields, updatedAt and revision move; counters and createdAt do not
    assert (after.event.title, after.event.date) == ("New title", "2027-09-09")
    assert after.revision == before.revision + 1
    assert after.event.updatedAt > before.event.updatedAt
    assert after.event.createdAt == before.event.createdAt
    assert after.event.registeredCount == 1
    assert get_event(event_id) == after
    assert_invariants(ddb, event_id)


def test_update_with_no_fields_is_refused(ddb):
    event_id = an_event()
    with pytest.raises(errors.NoFieldsToUpdate) as raised:
        update_event(event_id, {})
    assert raised.value.detail == "No fields to update"


def test_update_of_missing_event_is_not_found(ddb):
    with pytest.raises(errors.EventNotFound):
        update_event("evt-never-created", {"title": "x"})


def test_disabling_the_waitlist_keeps_people_waiting_and_still_promotes_them(ddb):
    # Given a full event with two people waiting
    event_id, holders, line = full_event_with_waitlist(capacity=1, waiting=2)

    # When the waitlist is switched off
    update_event(event_id, {"waitlistEnabled": False})

    # Then newcomers are refused, but those already waiting keep their places
    with pytest.raises(errors.EventFull):
        register(event_id, a_user())
    assert assert_invariants(ddb, event_id).waitlisted == line

    # And when a spot frees up, the head of the line still gets it
    assert unregister(event_id, holders[0]).promotedUserId == line[0]
    tables = assert_invariants(ddb, event_id)
    assert (tables.registered, tables.waitlisted) == ([line[0]], [line[1]])


def test_reenabling_the_waitlist_queues_newcomers_behind_those_kept(ddb):
    # Given a full event whose waitlist was switched off with one person waiting
    event_id, _, line = full_event_with_waitlist(capacity=1, waiting=1)
    update_event(event_id, {"waitlistEnabled": False})

    # When it is switched back on and someone new registers
    update_event(event_id, {"waitlistEnabled": True})
    newcomer = a_user()
    result = placed(event_id, newcomer)

    # Then they queue behind the person kept waiting
    assert (result.status, result.waitlistPosition) == ("waitlisted", 2)
    assert assert_invariants(ddb, event_id).waitlisted == [line[0], newcomer]


def test_capacity_raise_on_a_closed_waitlist_still_promotes(ddb):
    # Given a full event, two waiting, waitlist switched off
    event_id, _, line = full_event_with_waitlist(capacity=1, waiting=2)
    update_event(event_id, {"waitlistEnabled": False})

    # When capacity rises by one
    update_event(event_id, {"capacity": 2})

    # Then the head of the line is promoted
    assert assert_invariants(ddb, event_id).waitlisted == [line[1]]


@pytest.mark.parametrize("status", ["cancelled", "completed"])
def test_inactive_events_do_not_promote_on_unregister(ddb, status):
    # Given a full event with two people waiting, then closed
    event_id, holders, line = full_event_with_waitlist(capacity=2, waiting=2)
    update_event(event_id, {"status": status})

    # When an attendee leaves
    result = unregister(event_id, holders[0])

    # Then nobody is promoted: the spot stays free and the line stays as it was
    assert result.promotedUserId is None
    tables = assert_invariants(ddb, event_id)
    assert (tables.registered, tables.waitlisted) == ([holders[1]], line)
    event = get_event(event_id).event
    assert (event.registeredCount, event.waitlistCount) == (1, 2)


@pytest.mark.parametrize("status", ["cancelled", "completed"])
def test_capacity_raise_on_an_inactive_event_does_not_promote(ddb, status):
    # Given a closed, full event with people waiting
    event_id, _, line = full_event_with_waitlist(capacity=1, waiting=2)
    update_event(event_id, {"status": status})

    # When capacity rises
    update_event(event_id, {"capacity": 5})

    # Then the line is untouched
    assert assert_invariants(ddb, event_id).waitlisted == line


def test_reactivating_promotes_into_spots_freed_while_closed(ddb):
    # Given a cancelled event where two attendees left while three people waited
    event_id, holders, line = full_event_with_waitlist(capacity=3, waiting=3)
    update_event(event_id, {"status": "cancelled"})
    unregister(event_id, holders[0])
    unregister(event_id, holders[1])

    # When the event becomes active again
    updated = update_event(event_id, {"status": "active"}).event

    # Then the first two in line fill the two free spots, in order
    assert (updated.registeredCount, updated.waitlistCount) == (3, 1)
    tables = assert_invariants(ddb, event_id)
    assert set(tables.registered) == {holders[2], line[0], line[1]}
    assert tables.waitlisted == [line[2]]


def test_postponed_events_still_promote(ddb):
    # Given a full, postponed event with one person waiting
    event_id, holders, line = full_event_with_waitlist(capacity=1, waiting=1)
    update_event(event_id, {"status": "postponed"})

    # When the attendee leaves
    result = unregister(event_id, holders[0])

    # Then the person waiting gets the spot
    assert result.promotedUserId == line[0]
    assert_invariants(ddb, event_id)


def test_people_waiting_at_a_closed_event_can_still_leave(ddb):
    # Given a cancelled event with two people waiting
    event_id, _, line = full_event_with_waitlist(capacity=1, waiting=2)
    update_event(event_id, {"status": "cancelled"})

    # When the first in line leaves
    unregister(event_id, line[0])

    # Then the counters follow
    tables = assert_invariants(ddb, event_id)
    assert tables.waitlisted == [line[1]]


def test_a_capacity_raise_names_whom_it_promoted_in_queue_order(ddb):
    # Given one attendee and three people waiting, in this order
    event_id = an_event(capacity=1, waitlist=True)
    people = some_users(4)
    register_all(event_id, people)

    # When two spots open, then the answer names the first two in line, and only a change that
    # promotes anyone names someone
    assert update_event(event_id, {"capacity": 3}).promoted == tuple(people[1:3])
    assert update_event(event_id, {"title": "Renamed"}).promoted == ()
    assert_invariants(ddb, event_id)
