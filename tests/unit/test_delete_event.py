"""Deleting an event removes it and every registration; a half-done delete hides it already."""

from __future__ import annotations

import pytest

from event_core import attendance, errors, events
from event_core.attendance import event_registrations, user_registrations
from event_core.authorization import Manager
from event_core.clock import iso_ago, now_iso
from event_core.event_listing import list_events
from event_core.events import STALE_DELETE_SECONDS, create_event, delete_event, get_event
from event_core.models.events import EventCreate
from event_core.registration import register, unregister
from event_core.store import events as event_store
from tests.support.builders import a_user, an_event, register_all, some_users
from tests.support.invariants import assert_invariants, read_event_state


def test_delete_removes_the_event_and_all_its_registrations(ddb):
    # Given a full event with people waiting, and a user also registered elsewhere
    event_id = an_event(capacity=2, waitlist=True)
    other_event = an_event(capacity=5)
    people = some_users(4)
    register_all(event_id, people)
    register(other_event, people[0])

    # When the event is deleted
    result = delete_event(event_id)

    # Then it is gone with every registration, and the user's list shows only the other event
    assert (result.eventId, result.message) == (event_id, "Event deleted successfully")
    tables = read_event_state(ddb, event_id)
    assert (tables.event, tables.rows) == (None, [])
    with pytest.raises(errors.EventNotFound):
        get_event(event_id)
    with pytest.raises(errors.EventNotFound):
        event_registrations(event_id, limit=10, next_token=None)
    listed = user_registrations(people[0], limit=10, next_token=None)
    assert [r.eventId for r in listed.registrations] == [other_event]
    assert user_registrations(people[3], limit=10, next_token=None).registrations == []
    assert_invariants(ddb, other_event)


def test_deleted_event_refuses_registration_and_unregistration(ddb):
    # Given a deleted event that had an attendee
    event_id = an_event(capacity=2)
    user_id = a_user()
    register(event_id, user_id)
    delete_event(event_id)

    # When the attendee tries to register or leave
    # Then the event is not found either way
    with pytest.raises(errors.EventNotFound):
        register(event_id, user_id)
    with pytest.raises(errors.EventNotFound):
        unregister(event_id, user_id)


def test_deleting_twice_or_an_unknown_event_is_not_found(ddb):
    event_id = an_event()
    delete_event(event_id)
    with pytest.raises(errors.EventNotFound):
        delete_event(event_id)
    with pytest.raises(errors.EventNotFound):
        delete_event("evt-never-created")
    with pytest.raises(errors.EventNotFound):
        delete_event("bad id")


def test_delete_purges_more_registrations_than_one_batch(ddb):
    # Given an event with 30 registrations (more than one BatchWriteItem of 25)
    event_id = an_event(capacity=20, waitlist=True)
    register_all(event_id, some_users(30))

    # When it is deleted
    delete_event(event_id)

    # Then nothing is left
    assert read_event_state(ddb, event_id).rows == []


def test_interrupted_delete_hides_the_event_and_deleting_again_finishes(ddb):
    # Given a delete that tombstoned the event but died before purging its registrations
    event_id = an_event(capacity=1, waitlist=True)
    holder, waiting = some_users(2)
    register_all(event_id, [holder, waiting])
    assert event_store.mark_deleted(
        event_id, iso_ago(STALE_DELETE_SECONDS + 1), deletion="a-delete-that-died"
    )

    # Then readers already see it as gone
    with pytest.raises(errors.EventNotFound):
        get_event(event_id)
    assert event_id not in [e.eventId for e in list_events(status=None, limit=100, next_token=None).events]
    assert list_events(status="active", limit=100, next_token=None).events == []
    assert user_registrations(holder, limit=10, next_token=None).registrations == []
    assert user_registrations(waiting, limit=10, next_token=None).count == 0
    with pytest.raises(errors.EventNotFound):
        register(event_id, a_user())

    # And its id stays reserved
    with pytest.raises(errors.EventAlreadyExists):
        create_event(EventCreate.model_validate(reused_id_body(event_id)))

    # When the delete is retried after the grace period
    with pytest.raises(errors.EventNotFound):
        delete_event(event_id)

    # Then it finished: the tombstone and the registrations are gone, and the id is free again
    tables = assert_invariants(ddb, event_id)
    assert (tables.event, tables.rows) == (None, [])
    assert create_event(EventCreate.model_validate(reused_id_body(event_id))).eventId == event_id


def test_a_second_delete_leaves_a_delete_in_progress_alone(ddb):
    # Given a delete in progress: tombstoned just now, registrations not yet purged
    event_id = an_event(capacity=2, waitlist=True)
    register_all(event_id, some_users(3))
    assert event_store.mark_deleted(event_id, now_iso(), deletion="a-running-delete")

    # When another delete arrives
    with pytest.raises(errors.EventNotFound):
        delete_event(event_id)

    # Then it purged nothing and kept the tombstone: the running delete finishes the job
    tables = read_event_state(ddb, event_id)
    assert len(tables.rows) == 3
    with pytest.raises(errors.EventAlreadyExists):
        create_event(EventCreate.model_validate(reused_id_body(event_id)))


def reused_id_body(event_id: str) -> dict[str, object]:
    return {
        "eventId": event_id,
        "title": "Reused id",
        "description": "d",
        "date": "2031-01-01",
        "location": "l",
        "capacity": 1,
        "organizer": "o",
    }


def test_an_etag_of_a_deleted_event_does_not_match_its_successor_under_the_same_id(ddb):
    # Given an event's ETag, then the event deleted and created again with the same id
    event_id = an_event(capacity=5)
    stale = events.etag(events.get_event(event_id))
    events.delete_event(event_id)
    recreated = an_event(eventId=event_id, capacity=5)
    assert recreated == event_id

    # When the old tab saves with the ETag it read, then the write is refused
    with pytest.raises(errors.PreconditionFailed):
        events.update_event(event_id, {"title": "Renamed"}, if_match=stale)
    assert events.get_event(event_id).event.title != "Renamed"


def test_a_page_token_of_a_deleted_event_does_not_page_its_successor(ddb):
    # Given a cursor into an event's attendees, then the event deleted and created again
    event_id = an_event(capacity=5)
    register_all(event_id, some_users(3))
    token = attendance.event_registrations(event_id, limit=1, next_token=None).nextToken
    assert token is not None
    events.delete_event(event_id)
    an_event(eventId=event_id, capacity=5)

    # When the cursor is used, then it is refused
    with pytest.raises(errors.InvalidPageToken):
        attendance.event_registrations(event_id, limit=1, next_token=token)


def test_a_delete_by_an_owner_whose_event_was_just_handed_over_deletes_nothing(ddb, monkeypatch):
    # Given olga's event with an attendee, handed over to oscar after olga's delete checked it
    olga, oscar = Manager(user_id="olga", administers=False), Manager(user_id="oscar", administers=False)
    event_id = create_event(EventCreate.model_validate(_body()), manager=olga).eventId
    register_all(event_id, [a_user()])
    real_mark_deleted = event_store.mark_deleted

    def handed_over_first(*args: object, **kwargs: object) -> bool:
        events.update_event(event_id, {"ownerId": "oscar"})
        return real_mark_deleted(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(event_store, "mark_deleted", handed_over_first)

    # When olga's delete writes its tombstone, then Forbidden, and the event is whole
    with pytest.raises(errors.Forbidden):
        delete_event(event_id, manager=olga)
    monkeypatch.setattr(event_store, "mark_deleted", real_mark_deleted)
    assert get_event(event_id).event.ownerId == "oscar"
    assert len(read_event_state(ddb, event_id).rows) == 1
    assert delete_event(event_id, manager=oscar).eventId == event_id


def _body() -> dict[str, object]:
    return {
        "title": "Owned",
        "description": "Owned by an organizer",
        "date": "2031-05-01",
        "location": "Hall",
        "capacity": 3,
        "organizer": "Olga",
    }
