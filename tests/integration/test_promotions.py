"""Promotions from the waitlist that depend on DynamoDB transactions: their size and conditions."""

from __future__ import annotations

from functools import partial

import pytest

from event_core import registration, users
from event_core.errors import EventNotOpen
from event_core.events import create_event, update_event
from event_core.models.events import EventCreate
from event_core.models.users import UserCreate
from event_core.waitlist import MAX_PROMOTIONS_PER_WRITE
from tests.support.bodies import event_body, unique
from tests.support.invariants import assert_invariants, read_event_state
from tests.support.parallel import run_concurrently

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("local_env")]


def _event(**overrides) -> str:
    return create_event(EventCreate.model_validate(event_body(**overrides))).eventId


def _create_user(user_id: str) -> None:
    users.create_user(UserCreate(userId=user_id, name="U"))


def _users(count: int) -> list[str]:
    ids = [unique("user") for _ in range(count)]
    run_concurrently([partial(_create_user, u) for u in ids], workers=16)
    return ids


def test_capacity_raise_beyond_one_transaction_promotes_the_whole_queue_in_order(ddb_client):
    # Given an event of capacity 1 with more people waiting than one transaction can promote
    waiting = 2 * MAX_PROMOTIONS_PER_WRITE + 15
    event_id = _event(capacity=1, waitlistEnabled=True)
    people = _users(waiting + 1)
    for user_id in people:
        registration.register(event_id, user_id)

    # When the capacity is raised to leave room for all but the last five
    updated = update_event(event_id, {"capacity": waiting - 4})

    # Then everyone but the last five was promoted, in queue order, over several transactions
    assert (updated.event.registeredCount, updated.event.waitlistCount) == (waiting - 4, 5)
    state = read_event_state(ddb_client, event_id)
    assert set(state.registered) == set(people[: waiting - 4])
    assert state.waitlisted == people[waiting - 4 :]
    assert [state.positions[u] for u in state.waitlisted] == [1, 2, 3, 4, 5]
    rows = {r["userId"]: r for r in state.rows}
    batches = [rows[u]["promotedAt"] for u in people[1 : waiting - 4]]
    assert batches == sorted(batches)
    assert len(set(batches)) == 3  # 90 + 90 + 15 promotions
    assert_invariants(ddb_client, event_id)


def test_spot_freed_while_cancelled_is_kept_until_the_event_reopens(ddb_client):
    # Given a full event of capacity 2 with three people waiting, then cancelled
    event_id = _event(capacity=2, waitlistEnabled=True)
    people = _users(5)
    for user_id in people:
        registration.register(event_id, user_id)
    update_event(event_id, {"status": "cancelled"})

    # When a registered person leaves while it is cancelled
    left = registration.unregister(event_id, people[0])

    # Then nobody is promoted and nobody new can sign up
    assert left.promotedUserId is None
    state = read_event_state(ddb_client, event_id)
    assert (set(state.registered), state.waitlisted) == ({people[1]}, people[2:])
    with pytest.raises(EventNotOpen):
        registration.register(event_id, _users(1)[0])
    assert_invariants(ddb_client, event_id)

    # When the event is reopened, the head of the queue gets the spot
    reopened = update_event(event_id, {"status": "active"})

    # Then
    assert (reopened.event.registeredCount, reopened.event.waitlistCount) == (2, 2)
    state = read_event_state(ddb_client, event_id)
    assert (set(state.registered), state.waitlisted) == ({people[1], people[2]}, people[3:])
    assert_invariants(ddb_client, event_id)


def test_postponed_event_still_promotes_when_someone_leaves(ddb_client):
    # Given a full, postponed event with two people waiting
    event_id = _event(capacity=1, waitlistEnabled=True)
    people = _users(3)
    for user_id in people:
        registration.register(event_id, user_id)
    update_event(event_id, {"status": "postponed"})

    # When the registered person leaves
    left = registration.unregister(event_id, people[0])

    # Then the head of the queue is promoted
    assert left.promotedUserId == people[1]
    assert read_event_state(ddb_client, event_id).waitlisted == [people[2]]
    assert_invariants(ddb_client, event_id)
