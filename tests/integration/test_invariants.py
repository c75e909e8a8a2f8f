"""The invariant checker itself: silent on a consistent event, loud on each kind of corruption.

The states are written as raw items, so the checker is tested independently of event_core.
"""

from __future__ import annotations

from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer

from .factories import unique_id
from .invariants import (
    EVENTS_TABLE,
    REGISTRATIONS_TABLE,
    USERS_TABLE,
    assert_invariants,
    event_violations,
    user_violations,
)

pytestmark = pytest.mark.integration

_serializer = TypeSerializer()


def _put(client: Any, table: str, values: dict[str, Any]) -> None:
    client.put_item(TableName=table, Item={k: _serializer.serialize(v) for k, v in values.items()})


def _user(client: Any) -> str:
    user_id = unique_id("user")
    _put(client, USERS_TABLE, {"userId": user_id, "name": "U", "createdAt": "2030-01-01T00:00:00Z"})
    return user_id


def _event(client: Any, **fields: Any) -> str:
    event_id = unique_id("event")
    values = {
        "eventId": event_id,
        "title": "t",
        "description": "d",
        "date": "2031-01-01",
        "location": "l",
        "capacity": 2,
        "organizer": "o",
        "status": "active",
        "waitlistEnabled": True,
        "registeredCount": 0,
        "waitlistCount": 0,
        "waitlistSeqNext": 1,
        "revision": 0,
        "createdAt": "2030-01-01T00:00:00Z",
        "updatedAt": "2030-01-01T00:00:00Z",
    }
    values.update(fields)
    _put(client, EVENTS_TABLE, values)
    return event_id


def _registered(client: Any, event_id: str, user_id: str, at: str) -> None:
    _put(
        client,
        REGISTRATIONS_TABLE,
        {
            "eventId": event_id,
            "userId": user_id,
            "status": "registered",
            "registeredAt": at,
            "registeredSort": f"{at}#{user_id}",
        },
    )


def _waitlisted(client: Any, event_id: str, user_id: str, at: str, seq: int) -> None:
    _put(
        client,
        REGISTRATIONS_TABLE,
        {
            "eventId": event_id,
            "userId": user_id,
            "status": "waitlisted",
            "registeredAt": at,
            "waitlistSeq": seq,
        },
    )


def _full_event_with_waitlist(client: Any) -> tuple[str, list[str]]:
    people = [_user(client) for _ in range(4)]
    event_id = _event(client, registeredCount=2, waitlistCount=2, waitlistSeqNext=3)
    _registered(client, event_id, people[0], "2030-01-01T00:00:01.000000Z")
    _registered(client, event_id, people[1], "2030-01-01T00:00:02.000000Z")
    _waitlisted(client, event_id, people[2], "2030-01-01T00:00:03.000000Z", 1)
    _waitlisted(client, event_id, people[3], "2030-01-01T00:00:04.000000Z", 2)
    return event_id, people


def test_consistent_event_has_no_violations(ddb_client):
    # Given a full event with two people waiting, counters and tickets all in order
    event_id, people = _full_event_with_waitlist(ddb_client)

    # When / Then the checker finds nothing
    assert_invariants(ddb_client, event_id, user_ids=tuple(people))


def test_counter_that_disagrees_with_rows_is_reported(ddb_client):
    # Given an event whose registeredCount is one short of its rows
    event_id, _ = _full_event_with_waitlist(ddb_client)
    ddb_client.update_item(
        TableName=EVENTS_TABLE,
        Key={"eventId": {"S": event_id}},
        UpdateExpression="SET registeredCount = :one, waitlistCount = :three",
        ExpressionAttributeValues={":one": {"N": "1"}, ":three": {"N": "3"}},
    )

    # When
    problems = event_violations(ddb_client, event_id)

    # Then both counters are called out
    assert any("registeredCount=1 but 2 registered rows" in p for p in problems)
    assert any("waitlistCount=3 but 2 waitlisted rows" in p for p in problems)


def test_oversold_event_is_reported(ddb_client):
    # Given three registered rows on a capacity-2 event, counter included
    people = [_user(ddb_client) for _ in range(3)]
    event_id = _event(ddb_client, registeredCount=3)
    for n, user_id in enumerate(people):
        _registered(ddb_client, event_id, user_id, f"2030-01-01T00:00:0{n}.000000Z")

    # When
    problems = event_violations(ddb_client, event_id)

    # Then
    assert any("exceed capacity 2" in p for p in problems)


def test_tickets_out_of_arrival_order_and_duplicates_are_reported(ddb_client):
    # Given a waitlist whose later arrival holds the lower ticket, and a duplicate ticket
    people = [_user(ddb_client) for _ in range(5)]
    event_id = _event(ddb_client, registeredCount=2, waitlistCount=3, waitlistSeqNext=2)
    _registered(ddb_client, event_id, people[0], "2030-01-01T00:00:01.000000Z")
    _registered(ddb_client, event_id, people[1], "2030-01-01T00:00:02.000000Z")
    _waitlisted(ddb_client, event_id, people[2], "2030-01-01T00:00:09.000000Z", 1)
    _waitlisted(ddb_client, event_id, people[3], "2030-01-01T00:00:04.000000Z", 2)
    _waitlisted(ddb_client, event_id, people[4], "2030-01-01T00:00:05.000000Z", 2)

    # When
    problems = event_violations(ddb_client, event_id)

    # Then
    assert any("duplicate waitlistSeq" in p for p in problems)
    assert any("not strictly increasing in arrival" in p for p in problems)
    assert any("not all below waitlistSeqNext=2" in p for p in problems)
    assert any("positions are not 1..n" in p for p in problems)


def test_free_spot_while_people_wait_is_reported(ddb_client):
    # Given an active event with a free spot and someone waiting
    people = [_user(ddb_client) for _ in range(2)]
    event_id = _event(ddb_client, registeredCount=1, waitlistCount=1, waitlistSeqNext=2)
    _registered(ddb_client, event_id, people[0], "2030-01-01T00:00:01.000000Z")
    _waitlisted(ddb_client, event_id, people[1], "2030-01-01T00:00:02.000000Z", 1)

    # When
    problems = event_violations(ddb_client, event_id)

    # Then
    assert problems == ["1 free spots while 1 people wait"]


def test_registrations_of_missing_event_or_user_are_reported(ddb_client):
    # Given a row for an event that does not exist, and a row for a user who does not exist
    ghost_event, ghost_user = unique_id("event"), unique_id("user")
    user_id = _user(ddb_client)
    _registered(ddb_client, ghost_event, user_id, "2030-01-01T00:00:01.000000Z")
    event_id = _event(ddb_client, registeredCount=1)
    _registered(ddb_client, event_id, ghost_user, "2030-01-01T00:00:01.000000Z")

    # When / Then
    assert any("missing or deleted event" in p for p in event_violations(ddb_client, ghost_event))
    assert any(ghost_user in p for p in event_violations(ddb_client, event_id))
    assert any(ghost_event in p for p in user_violations(ddb_client, user_id))
    with pytest.raises(AssertionError, match="invariants broken"):
        assert_invariants(ddb_client, event_id)
