"""The invariant checker itself: it must notice each kind of corruption it claims to check."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.builders import an_event, register_all, some_users, unique
from tests.unit.invariants import InvariantViolation, assert_invariants, violations


def consistent_event(ddb: Any) -> tuple[str, list[str]]:
    event_id = an_event(capacity=2, waitlist=True)
    people = some_users(4)
    register_all(event_id, people)
    assert violations(ddb, event_id) == []
    return event_id, people


@pytest.mark.parametrize(
    ("expression", "values", "expected"),
    [
        ("SET registeredCount = :v", {":v": {"N": "1"}}, "registeredCount 1 != 2"),
        ("SET waitlistCount = :v", {":v": {"N": "3"}}, "waitlistCount 3 != 2"),
        ("SET #c = :v", {":v": {"N": "1"}}, "over capacity"),
        ("SET #c = :v", {":v": {"N": "5"}}, "spots are free"),
        ("SET waitlistSeqNext = :v", {":v": {"N": "2"}}, "not below waitlistSeqNext"),
    ],
    ids=["registered-count", "waitlist-count", "overbooked", "idle-spot", "ticket-dispenser"],
)
def test_checker_reports_corrupted_event_items(ddb, expression, values, expected):
    # Given a consistent event
    event_id, _ = consistent_event(ddb)

    # When its item is corrupted behind the domain's back
    names = {"ExpressionAttributeNames": {"#c": "capacity"}} if "#c" in expression else {}
    ddb.update_item(
        TableName="EventsTable",
        Key={"eventId": {"S": event_id}},
        UpdateExpression=expression,
        ExpressionAttributeValues=values,
        **names,
    )

    # Then the checker names the problem
    with pytest.raises(InvariantViolation, match=expected):
        assert_invariants(ddb, event_id)


def test_checker_reports_queue_out_of_arrival_order(ddb):
    # Given a consistent event with two people waiting
    event_id, people = consistent_event(ddb)

    # When the second in line gets an earlier ticket than the first
    ddb.update_item(
        TableName="RegistrationsTable",
        Key={"eventId": {"S": event_id}, "userId": {"S": people[3]}},
        UpdateExpression="SET waitlistSeq = :v",
        ExpressionAttributeValues={":v": {"N": "0"}},
    )

    # Then the checker sees the order differs from arrival
    with pytest.raises(InvariantViolation, match="arrival order"):
        assert_invariants(ddb, event_id)


def test_checker_reports_registrations_of_a_missing_event(ddb):
    # Given a registration row for an event that does not exist
    event_id = unique("evt")
    ddb.put_item(
        TableName="RegistrationsTable",
        Item={
            "eventId": {"S": event_id},
            "userId": {"S": "u"},
            "status": {"S": "registered"},
            "registeredAt": {"S": "t"},
        },
    )

    # Then the checker reports the orphan
    assert violations(ddb, event_id) == ["1 registrations left for a missing event"]
