"""The invariant checker itself: silent on a consistent event, loud on each kind of corruption.

Its states are made by the domain and then corrupted behind its back, or written as raw items, so
the checker is tested independently of event_core. It reads any boto3 client: here moto's.
"""

from __future__ import annotations

from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer

from tests.support.bodies import event_body, unique
from tests.support.builders import an_event, register_all, some_users
from tests.support.invariants import (
    EVENTS_TABLE,
    REGISTRATIONS_TABLE,
    USERS_TABLE,
    InvariantViolation,
    assert_invariants,
    event_violations,
    user_violations,
)

_serializer = TypeSerializer()


def consistent_event(ddb: Any) -> tuple[str, list[str]]:
    event_id = an_event(capacity=2, waitlist=True)
    people = some_users(4)
    register_all(event_id, people)
    assert event_violations(ddb, event_id) == []
    return event_id, people


def _put(client: Any, table: str, values: dict[str, Any]) -> None:
    client.put_item(TableName=table, Item={k: _serializer.serialize(v) for k, v in values.items()})


def _user(client: Any) -> str:
    user_id = unique("user")
    _put(client, USERS_TABLE, {"userId": user_id, "name": "U", "createdAt": "2030-01-01T00:00:00Z"})
    return user_id


def _event(client: Any, **fields: Any) -> str:
    event_id = unique("event")
    values = {
        **event_body(eventId=event_id, capacity=2, waitlistEnabled=True, status="active"),
        "registeredCount": 0,
        "waitlistCount": 0,
        "waitlistSeqNext": 1,
        "revision": 0,
        "createdAt": "2030-01-01T00:00:00Z",
        "updatedAt": "2030-01-01T00:00:00Z",
        **fields,
    }
    _put(client, EVENTS_TABLE, values)
    return event_id


def _corrupt(client: Any, table: str, key: dict[str, str], field: str, value: Any) -> None:
    """Set one attribute of an item behind the domain's back."""
    client.update_item(
        TableName=table,
        Key={name: {"S": part} for name, part in key.items()},
        UpdateExpression="SET #f = :v",
        ExpressionAttributeNames={"#f": field},
        ExpressionAttributeValues={":v": _serializer.serialize(value)},
    )


def _registered(client: Any, event_id: str, user_id: str, at: str) -> None:
    row = {"status": "registered", "registeredAt": at, "registeredSort": f"{at}#{user_id}"}
    _put(client, REGISTRATIONS_TABLE, {"eventId": event_id, "userId": user_id, **row})


def _waitlisted(client: Any, event_id: str, user_id: str, at: str, seq: int) -> None:
    row = {"status": "waitlisted", "registeredAt": at, "waitlistSeq": seq}
    _put(client, REGISTRATIONS_TABLE, {"eventId": event_id, "userId": user_id, **row})


def _full_event(client: Any, waiting: list[tuple[int, int]], **fields: Any) -> tuple[str, list[str]]:
    """A capacity-2 event, two people registered, and one waiting for each (second of arrival,
    ticket) in `waiting`; counters to match unless `fields` say otherwise."""
    people = [_user(client) for _ in range(2 + len(waiting))]
    event_id = _event(client, registeredCount=2, waitlistCount=len(waiting), **fields)
    for second, user_id in enumerate(people[:2], start=1):
        _registered(client, event_id, user_id, f"2030-01-01T00:00:0{second}.000000Z")
    for (second, ticket), user_id in zip(waiting, people[2:], strict=True):
        _waitlisted(client, event_id, user_id, f"2030-01-01T00:00:0{second}.000000Z", ticket)
    return event_id, people


def _full_event_with_waitlist(client: Any) -> tuple[str, list[str]]:
    return _full_event(client, [(3, 1), (4, 2)], waitlistSeqNext=3)


def test_consistent_event_has_no_violations_and_is_returned(ddb):
    # Given a full event with two people waiting, counters and tickets all in order
    event_id, people = _full_event_with_waitlist(ddb)

    # When
    state = assert_invariants(ddb, event_id, user_ids=people)

    # Then the checker finds nothing, and answers what it read
    assert (state.registered, state.waitlisted) == (people[:2], people[2:])
    assert state.positions == {people[2]: 1, people[3]: 2}


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("registeredCount", 1, "registeredCount=1 but 2 registered rows"),
        ("waitlistCount", 3, "waitlistCount=3 but 2 waitlisted rows"),
        ("offeredCount", 1, "offeredCount=1 but 0 offered rows"),
        ("capacity", 1, "exceed capacity 1"),
        ("capacity", 5, "3 spots neither taken nor offered while 2 people wait"),
        ("waitlistSeqNext", 2, "not all below waitlistSeqNext=2"),
    ],
    ids=[
        "registered-count",
        "waitlist-count",
        "offered-count",
        "overbooked",
        "idle-spot",
        "ticket-dispenser",
    ],
)
def test_checker_reports_corrupted_event_items(ddb, field, value, expected):
    # Given a consistent event
    event_id, _ = consistent_event(ddb)

    # When its item is corrupted behind the domain's back
    _corrupt(ddb, EVENTS_TABLE, {"eventId": event_id}, field, value)

    # Then the checker names the problem
    with pytest.raises(InvariantViolation, match=expected):
        assert_invariants(ddb, event_id)


def test_checker_reports_queue_out_of_arrival_order(ddb):
    # Given a consistent event with two people waiting
    event_id, people = consistent_event(ddb)

    # When the second in line gets an earlier ticket than the first
    _corrupt(ddb, REGISTRATIONS_TABLE, {"eventId": event_id, "userId": people[3]}, "waitlistSeq", 0)

    # Then the checker sees the order differs from arrival
    with pytest.raises(InvariantViolation, match="not strictly increasing in arrival"):
        assert_invariants(ddb, event_id)


def test_tickets_out_of_arrival_order_and_duplicates_are_reported(ddb):
    # Given a waitlist whose later arrival holds the lower ticket, and a duplicate ticket
    event_id, _ = _full_event(ddb, [(9, 1), (4, 2), (5, 2)], waitlistSeqNext=2)

    # When
    problems = event_violations(ddb, event_id)

    # Then
    assert any("duplicate waitlistSeq" in p for p in problems)
    assert any("not strictly increasing in arrival" in p for p in problems)
    assert any("not all below waitlistSeqNext=2" in p for p in problems)
    assert any("positions are not 1..n" in p for p in problems)


def test_row_of_an_unknown_status_or_outside_its_index_is_reported(ddb):
    # Given a consistent event, one of whose rows gets a status nobody defined
    event_id, people = _full_event_with_waitlist(ddb)
    _corrupt(ddb, REGISTRATIONS_TABLE, {"eventId": event_id, "userId": people[0]}, "status", "lost")

    # When
    problems = event_violations(ddb, event_id)

    # Then
    assert f"row {people[0]} has unknown status 'lost'" in problems
    assert "registered-index does not list exactly the registered and offered rows" in problems


def test_registrations_of_missing_event_or_user_are_reported(ddb):
    # Given a row for an event that does not exist, and a row for a user who does not exist
    ghost_event, ghost_user = unique("event"), unique("user")
    user_id = _user(ddb)
    _registered(ddb, ghost_event, user_id, "2030-01-01T00:00:01.000000Z")
    event_id = _event(ddb, registeredCount=1)
    _registered(ddb, event_id, ghost_user, "2030-01-01T00:00:01.000000Z")

    # When / Then
    assert event_violations(ddb, ghost_event) == [
        f"1 registrations for a missing or deleted event: [{user_id!r}]"
    ]
    assert any(ghost_user in p for p in event_violations(ddb, event_id))
    assert any(ghost_event in p for p in user_violations(ddb, user_id))
    with pytest.raises(InvariantViolation, match="invariants broken"):
        assert_invariants(ddb, event_id)
