"""Deleting an event purges its registrations; its id can be created again, with nothing left over."""

from __future__ import annotations

import pytest

from event_core import attendance, events, registration, users
from event_core.errors import EventAlreadyExists, EventNotFound
from event_core.models.events import EventCreate
from event_core.models.registrations import Registration
from event_core.models.users import UserCreate
from event_core.store import registrations as registrations_store
from tests.support.bodies import event_body, unique
from tests.support.invariants import (
    WAITLISTED,
    assert_invariants,
    read_event_item,
    read_event_state,
    registration_rows,
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("local_env")]


def _users(count: int) -> list[str]:
    return [users.create_user(UserCreate(userId=unique("user"), name="U")).userId for _ in range(count)]


def _listed_event_ids(user_id: str) -> list[str]:
    page = attendance.user_registrations(user_id, limit=100, next_token=None)
    return [r.eventId for r in page.registrations]


def test_delete_purges_every_registration_and_the_id_comes_back_clean(ddb_client):
    # Given an event with 30 people registered and 30 waiting (more than one batch of deletes)
    body = event_body(capacity=30, waitlistEnabled=True)
    event_id = events.create_event(EventCreate.model_validate(body)).eventId
    people = _users(60)
    for user_id in people:
        registration.register(event_id, user_id)
    assert len(registration_rows(ddb_client, event_id)) == 60

    # When it is deleted
    deleted = events.delete_event(event_id)

    # Then no row, no item and no listing refers to it any more
    assert deleted.eventId == event_id
    assert registration_rows(ddb_client, event_id) == []
    assert read_event_item(ddb_client, event_id) is None
    assert event_id not in _listed_event_ids(people[0])
    assert event_id not in _listed_event_ids(people[-1])
    with pytest.raises(EventNotFound):
        events.get_event(event_id)
    with pytest.raises(EventNotFound):
        events.delete_event(event_id)

    # And when the same id is created again, it starts empty, tickets included
    recreated = events.create_event(EventCreate.model_validate({**body, "capacity": 1}))
    assert (recreated.eventId, recreated.registeredCount, recreated.waitlistCount) == (event_id, 0, 0)
    listing = attendance.event_registrations(event_id, limit=100, next_token=None)
    assert (listing.registered, listing.waitlisted) == ([], [])

    # And former attendees can sign up afresh: no ghost place says they already are
    assert registration.register(event_id, people[0]).status == "registered"
    waiting = registration.register(event_id, people[-1])
    assert isinstance(waiting, Registration)  # alone: placed at once, not queued
    assert (waiting.status, waiting.waitlistPosition) == ("waitlisted", 1)
    assert read_event_state(ddb_client, event_id).rows_with(WAITLISTED)[0]["waitlistSeq"] == 1
    assert_invariants(ddb_client, event_id, user_ids=(people[0], people[-1], people[30]))


def test_interrupted_delete_keeps_the_id_reserved_until_deleted_again(ddb_client, monkeypatch):
    # Given an event with registrations whose delete dies after the tombstone, before the purge
    body = event_body(capacity=2, waitlistEnabled=True)
    event_id = events.create_event(EventCreate.model_validate(body)).eventId
    people = _users(3)
    for user_id in people:
        registration.register(event_id, user_id)

    def crash(event_id: str) -> int:
        raise ConnectionError("the function timed out mid-delete")

    with monkeypatch.context() as patched:
        patched.setattr(registrations_store, "purge_event", crash)
        with pytest.raises(ConnectionError):
            events.delete_event(event_id)

    # When / Then the event is gone for every reader and writer, yet its id stays taken
    with pytest.raises(EventNotFound):
        events.get_event(event_id)
    with pytest.raises(EventNotFound):
        registration.register(event_id, _users(1)[0])
    with pytest.raises(EventNotFound):
        registration.unregister(event_id, people[0])
    with pytest.raises(EventAlreadyExists):
        events.create_event(EventCreate.model_validate(body))
    assert event_id not in _listed_event_ids(people[0])
    assert len(registration_rows(ddb_client, event_id)) == 3

    # When it is deleted again at once, the delete in progress is left alone (404, nothing purged)
    with pytest.raises(EventNotFound):
        events.delete_event(event_id)
    assert len(registration_rows(ddb_client, event_id)) == 3

    # When it is deleted again after the grace period, the purge finishes (still 404)
    monkeypatch.setattr(events, "STALE_DELETE_SECONDS", 0)
    with pytest.raises(EventNotFound):
        events.delete_event(event_id)

    # Then nothing is left, and the id can be created again without ghosts
    assert registration_rows(ddb_client, event_id) == []
    assert read_event_item(ddb_client, event_id) is None
    events.create_event(EventCreate.model_validate(body))
    assert registration.register(event_id, people[2]).status == "registered"
    assert_invariants(ddb_client, event_id, user_ids=tuple(people))


def test_delete_overtaken_by_a_second_delete_still_succeeds(ddb_client, monkeypatch):
    # Given an event with registrations, and a second DELETE that runs in full between the
    # first one's tombstone and its purge
    event_id = events.create_event(EventCreate.model_validate(event_body(capacity=5))).eventId
    for user_id in _users(3):
        registration.register(event_id, user_id)
    real_purge = registrations_store.purge_event
    second: list[object] = []

    def purge_after_a_second_delete(purged_event_id: str) -> int:
        if not second:
            second.append("running")
            try:
                second[0] = events.delete_event(purged_event_id)
            except EventNotFound as error:
                second[0] = error
        return real_purge(purged_event_id)

    monkeypatch.setattr(registrations_store, "purge_event", purge_after_a_second_delete)

    # When the first delete resumes
    first = events.delete_event(event_id)

    # Then the first, which tombstoned the event, reports the deletion; the second found it gone
    assert first.eventId == event_id
    assert [type(outcome) for outcome in second] == [EventNotFound]
    assert registration_rows(ddb_client, event_id) == []
    assert read_event_item(ddb_client, event_id) is None


def test_id_cannot_be_reused_while_its_delete_is_purging(ddb_client, monkeypatch):
    # Given a first DELETE that tombstoned an event and is purging its registrations
    body = event_body(capacity=5)
    event_id = events.create_event(EventCreate.model_validate(body)).eventId
    for user_id in _users(3):
        registration.register(event_id, user_id)
    newcomer = _users(1)[0]
    real_purge = registrations_store.purge_event
    during_purge: list[type[Exception]] = []

    def purge_while_others_try_the_id(purged_event_id: str) -> int:
        if not during_purge:
            # When, meanwhile, someone deletes it again, re-creates it and registers for it
            for attempt, expected in (
                (lambda: events.delete_event(purged_event_id), EventNotFound),
                (lambda: events.create_event(EventCreate.model_validate(body)), EventAlreadyExists),
                (lambda: registration.register(purged_event_id, newcomer), EventNotFound),
            ):
                with pytest.raises(expected):
                    attempt()
                during_purge.append(expected)
        return real_purge(purged_event_id)

    monkeypatch.setattr(registrations_store, "purge_event", purge_while_others_try_the_id)
    outcome = events.delete_event(event_id)

    # Then all three were refused, the first delete reports the deletion, nothing is left
    assert during_purge == [EventNotFound, EventAlreadyExists, EventNotFound]
    assert outcome.eventId == event_id
    assert registration_rows(ddb_client, event_id) == []
    assert read_event_item(ddb_client, event_id) is None

    # And the id is free again, with no ghost registrations
    events.create_event(EventCreate.model_validate(body))
    assert registration.register(event_id, newcomer).status == "registered"
    assert_invariants(ddb_client, event_id, user_ids=(newcomer,))


def test_a_delete_that_died_mid_purge_is_finished_without_any_request(ddb_client, monkeypatch):
    # Given an event with registrations whose delete died after the tombstone, before the purge
    body = event_body(capacity=2, waitlistEnabled=True)
    event_id = events.create_event(EventCreate.model_validate(body)).eventId
    people = _users(3)
    for user_id in people:
        registration.register(event_id, user_id)

    def crash(event_id: str) -> int:
        raise ConnectionError("the function was stopped mid-delete")

    with monkeypatch.context() as patched:
        patched.setattr(registrations_store, "purge_event", crash)
        with pytest.raises(ConnectionError):
            events.delete_event(event_id)

    # When the events stream's function sees the tombstone: while it is fresh (its delete may
    # still be running) it waits, and once stale it finishes the delete
    assert events.finish_deletion(event_id, wait_seconds=0) is False
    assert len(registration_rows(ddb_client, event_id)) == 3
    monkeypatch.setattr(events, "STALE_DELETE_SECONDS", 0)
    assert events.finish_deletion(event_id, wait_seconds=5) is True

    # Then nothing is left and the id is free, without any client retrying the delete
    assert registration_rows(ddb_client, event_id) == []
    assert read_event_item(ddb_client, event_id) is None
    events.create_event(EventCreate.model_validate(body))
    assert_invariants(ddb_client, event_id, user_ids=tuple(people))
