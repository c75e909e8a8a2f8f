"""What the domain relies on DynamoDB for, checked against DynamoDB Local in this process.

Transactions are all or nothing, conditional creates never overwrite, the waitlist LSI reads
strongly consistent, and the user GSI lists a user's places across events.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from botocore.exceptions import ClientError

from event_core import attendance, registration, users
from event_core.errors import (
    AlreadyRegistered,
    EventAlreadyExists,
    EventFull,
    UserAlreadyExists,
)
from event_core.events import create_event, get_event
from event_core.models.events import EventCreate
from event_core.models.users import UserCreate
from event_core.store import registrations as registrations_store
from event_core.store import snapshot
from event_core.store.events import update_action
from event_core.store.registrations import WAITLISTED, StoredRegistration
from event_core.store.transactions import TransactionCancelled, transact
from event_core.store.users import exists_check
from tests.support.bodies import event_body, unique
from tests.support.invariants import (
    REGISTRATIONS_TABLE,
    USER_INDEX,
    assert_invariants,
    read_event_item,
    read_event_state,
    registration_rows,
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("local_env")]


def _event(**overrides) -> str:
    return create_event(EventCreate.model_validate(event_body(**overrides))).eventId


def _users(count: int) -> list[str]:
    return [users.create_user(UserCreate(userId=unique("user"), name="U")).userId for _ in range(count)]


def _counters(client, event_id: str) -> dict[str, int]:
    item = read_event_item(client, event_id)
    assert item is not None
    return {k: item[k] for k in ("registeredCount", "waitlistCount", "waitlistSeqNext", "revision")}


def _read_seeing_every_user(real_read: Callable[..., snapshot.Snapshot]) -> Callable[..., snapshot.Snapshot]:
    """snapshot.read, except that every user exists at read time (they vanish before the write)."""

    def read(event_id: str, user_id: str, *, with_user: bool) -> snapshot.Snapshot:
        return dataclasses.replace(real_read(event_id, user_id, with_user=with_user), user_exists=True)

    return read


# ---------------------------------------------------------------- transactions


def test_failed_event_condition_rolls_back_the_row_put(ddb_client):
    # Given a full event and a transaction whose put would succeed but whose counter guard fails
    event_id = _event(capacity=1)
    registration.register(event_id, _users(1)[0])
    newcomer = _users(1)[0]
    place = StoredRegistration(event_id, newcomer, "registered", "2031-01-01T00:00:00.000000Z")
    before = _counters(ddb_client, event_id)

    # When
    with pytest.raises(TransactionCancelled) as cancelled:
        transact(
            [
                exists_check(newcomer),
                registrations_store.put_action(place),
                update_action(
                    event_id,
                    update="SET registeredCount = registeredCount + :one",
                    condition="registeredCount < #capacity",
                    values={"one": 1},
                ),
            ]
        )

    # Then only the guard failed, and nothing at all was written
    assert cancelled.value.reasons == ["None", "None", "ConditionalCheckFailed"]
    assert newcomer not in {r["userId"] for r in registration_rows(ddb_client, event_id)}
    assert _counters(ddb_client, event_id) == before
    assert_invariants(ddb_client, event_id)


def test_transaction_on_deleted_event_writes_nothing(ddb_client):
    # Given an event that is gone, and a well-formed registration transaction for it
    event_id = unique("event")
    user_id = _users(1)[0]
    place = StoredRegistration(event_id, user_id, "registered", "2031-01-01T00:00:00.000000Z")

    # When
    with pytest.raises(TransactionCancelled) as cancelled:
        transact(
            [
                exists_check(user_id),
                registrations_store.put_action(place),
                update_action(
                    event_id,
                    update="SET registeredCount = :one",
                    condition="attribute_exists(title)",
                    values={"one": 1},
                ),
            ]
        )

    # Then the live-event guard failed: no row, and no event item was conjured up by the update
    assert cancelled.value.failed(2)
    assert registration_rows(ddb_client, event_id) == []
    assert read_event_item(ddb_client, event_id) is None


# ---------------------------------------------------------------- conditional creates


def test_creating_an_existing_event_id_never_overwrites_it(ddb_client):
    # Given an event with one registration
    event_id = _event(capacity=3, title="Original")
    registration.register(event_id, _users(1)[0])
    before = read_event_item(ddb_client, event_id)

    # When the same id is created again with other fields
    with pytest.raises(EventAlreadyExists):
        _event(eventId=event_id, title="Impostor", capacity=50)

    # Then the stored item is byte for byte the original, counters included
    assert read_event_item(ddb_client, event_id) == before
    assert_invariants(ddb_client, event_id)


def test_creating_an_existing_user_id_never_overwrites_it():
    # Given a user
    user_id = unique("user")
    users.create_user(UserCreate(userId=user_id, name="Original"))

    # When the same id is created again
    with pytest.raises(UserAlreadyExists):
        users.create_user(UserCreate(userId=user_id, name="Impostor"))

    # Then the first write stands
    assert users.get_user(user_id).name == "Original"


def test_second_registration_never_overwrites_the_first(ddb_client):
    # Given a user waiting at a full event
    event_id = _event(capacity=1, waitlistEnabled=True)
    registration.register(event_id, _users(1)[0])
    user_id = _users(1)[0]
    first = registration.register(event_id, user_id)
    row_before = [r for r in registration_rows(ddb_client, event_id) if r["userId"] == user_id]

    # When they register again
    with pytest.raises(AlreadyRegistered):
        registration.register(event_id, user_id)

    # Then their row, ticket and the counters are unchanged
    assert first.status == WAITLISTED
    assert [r for r in registration_rows(ddb_client, event_id) if r["userId"] == user_id] == row_before
    assert_invariants(ddb_client, event_id)


def test_row_put_condition_rejects_an_existing_place_even_with_fresh_counters(ddb_client):
    # Given a registered user, and a put of the same key that skips the domain's read
    event_id = _event(capacity=3)
    user_id = _users(1)[0]
    registration.register(event_id, user_id)
    duplicate = StoredRegistration(
        event_id, user_id, WAITLISTED, "2031-01-01T00:00:00.000000Z", waitlist_seq=7
    )

    # When
    with pytest.raises(TransactionCancelled) as cancelled:
        transact([registrations_store.put_action(duplicate)])

    # Then
    assert cancelled.value.failed(0)
    assert [r["status"] for r in registration_rows(ddb_client, event_id)] == ["registered"]


# ---------------------------------------------------------------- indexes


def test_waitlist_head_is_read_strongly_consistent_right_after_each_write(ddb_client):
    # Given a full event and four people joining its waitlist one after the other
    event_id = _event(capacity=1, waitlistEnabled=True)
    holder, *waiting = _users(5)
    registration.register(event_id, holder)

    # When / Then every read of the head, straight after a write, already sees that write
    for joined, user_id in enumerate(waiting, start=1):
        registration.register(event_id, user_id)
        assert [r.user_id for r in registrations_store.waitlist_head(event_id, 10)] == waiting[:joined]

    registration.unregister(event_id, waiting[1])  # leaves from the middle
    assert [r.user_id for r in registrations_store.waitlist_head(event_id, 10)] == [waiting[0], *waiting[2:]]

    outcome = registration.unregister(event_id, holder)  # frees the spot: the head is promoted
    assert outcome.promotedUserId == waiting[0]
    assert [r.user_id for r in registrations_store.waitlist_head(event_id, 10)] == waiting[2:]
    assert [r.waitlist_seq for r in registrations_store.waitlist_head(event_id, 10)] == [3, 4]
    assert_invariants(ddb_client, event_id)


def test_strong_consistency_is_available_on_the_lsi_but_not_on_the_user_gsi(ddb_client):
    # Given an event with someone waiting
    event_id = _event(capacity=1, waitlistEnabled=True)
    first, second = _users(2)
    registration.register(event_id, first)
    registration.register(event_id, second)
    query = {
        "TableName": REGISTRATIONS_TABLE,
        "ConsistentRead": True,
        "KeyConditionExpression": "eventId = :e",
        "ExpressionAttributeValues": {":e": {"S": event_id}},
    }

    # When / Then a consistent read of the waitlist LSI works...
    waiting = ddb_client.query(IndexName="waitlist-index", **query)["Items"]
    assert [i["userId"]["S"] for i in waiting] == [second]

    # ...while the same request on the GSI is refused, which is why the queue is an LSI
    with pytest.raises(ClientError) as refused:
        ddb_client.query(
            TableName=REGISTRATIONS_TABLE,
            IndexName=USER_INDEX,
            ConsistentRead=True,
            KeyConditionExpression="userId = :u",
            ExpressionAttributeValues={":u": {"S": first}},
        )
    assert refused.value.response["Error"]["Code"] == "ValidationException"


def test_user_index_lists_a_users_places_across_events_with_status_and_position(ddb_client):
    # Given a user registered at one event and waiting second in line at another
    user_id = _users(1)[0]
    open_event = _event(capacity=5, title="Roomy")
    full_event = _event(capacity=1, waitlistEnabled=True, title="Packed")
    left_event = _event(capacity=5, title="Left")
    holder, ahead = _users(2)
    registration.register(full_event, holder)
    registration.register(full_event, ahead)
    registration.register(open_event, user_id)
    registration.register(full_event, user_id)
    registration.register(left_event, user_id)
    registration.unregister(left_event, user_id)

    # When
    page = attendance.user_registrations(user_id, limit=10, next_token=None)

    # Then it lists both live places, in sign-up order, with the event details and position
    listed = [(r.eventId, r.eventTitle, r.status, r.waitlistPosition) for r in page.registrations]
    assert listed == [(open_event, "Roomy", "registered", None), (full_event, "Packed", "waitlisted", 2)]
    assert page.nextToken is None

    # And when the person ahead leaves, the position moves up without the row being rewritten
    registration.unregister(full_event, ahead)
    page = attendance.user_registrations(user_id, limit=10, next_token=None)
    assert [r.waitlistPosition for r in page.registrations] == [None, 1]
    assert_invariants(ddb_client, open_event, full_event, left_event, user_ids=(user_id,))


def test_event_registrations_list_confirmed_then_waitlist_with_counts(ddb_client):
    # Given an event of capacity 2 with three people waiting, one of whom leaves
    event_id = _event(capacity=2, waitlistEnabled=True)
    people = _users(5)
    for user_id in people:
        registration.register(event_id, user_id)
    registration.unregister(event_id, people[3])

    # When
    page = attendance.event_registrations(event_id, limit=100, next_token=None)

    # Then
    assert [r.userId for r in page.registered] == people[:2]
    assert [(r.userId, r.waitlistPosition) for r in page.waitlisted] == [(people[2], 1), (people[4], 2)]
    assert (page.registeredCount, page.waitlistCount, page.nextToken) == (2, 2, None)
    state = read_event_state(ddb_client, event_id)
    assert state.positions == {people[2]: 1, people[4]: 2}
    assert get_event(event_id).event.registeredCount == 2
    assert_invariants(ddb_client, event_id)


def test_full_event_without_waitlist_rejects_and_writes_nothing(ddb_client):
    # Given a full event without a waitlist
    event_id = _event(capacity=1)
    holder, late = _users(2)
    registration.register(event_id, holder)
    before = _counters(ddb_client, event_id)

    # When
    with pytest.raises(EventFull):
        registration.register(event_id, late)

    # Then
    assert [r["userId"] for r in registration_rows(ddb_client, event_id)] == [holder]
    assert _counters(ddb_client, event_id) == before
