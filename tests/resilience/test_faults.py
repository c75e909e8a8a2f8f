"""DynamoDB faults: throttling, TransactionConflict, 5xx, lost responses and lost connections.

Faults are injected below botocore's retry handler (see faults.py), on DynamoDB Local, and the
handlers are invoked as API Gateway would. After every scenario the stored state is checked with
the invariants of tests/support/invariants.py: a fault may cost a retry or a 503, never a
half-applied change, an oversold event or a stack trace.
"""

from __future__ import annotations

import time
from collections import Counter
from functools import partial
from typing import Any

import pytest

from event_core.admission import keep_admitting
from event_core.store.events import RELEASED_AT
from tests.resilience import faults as fault
from tests.resilience.conftest import call, new_event, new_users
from tests.resilience.faults import Faults
from tests.support.bodies import event_body, unique
from tests.support.invariants import assert_invariants, read_event_item, registration_rows
from tests.support.lambda_runner import Answer
from tests.support.parallel import run_concurrently

THROTTLES = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
]
LEAKS = ("Traceback", "botocore", "ClientError", "arn:aws", "Exception", "dynamodb", "Injected")


def assert_busy(answer: Answer) -> None:
    """503, Retry-After, the standard body, nothing about the internals."""
    assert answer.status == 503, answer.body
    assert answer.header("Retry-After") == "1"
    assert answer.body["detail"] == "Service busy, please retry"
    assert answer.header("Access-Control-Allow-Origin") == "*"
    assert not any(leak.lower() in answer.raw["body"].lower() for leak in LEAKS), answer.raw["body"]


@pytest.mark.parametrize("code", THROTTLES)
def test_a_burst_of_throttling_is_ridden_out(ddb, faults, code):
    # Given an event with one spot and a waitlist, and DynamoDB throttling the next writes
    event_id = new_event(capacity=1, waitlistEnabled=True)
    first, second = new_users(2)
    faults.fail("TransactWriteItems", 4, fault.error(code))

    # When two people register and the first leaves
    answers = [
        call("register", eventId=event_id, body={"userId": first}),
        call("register", eventId=event_id, body={"userId": second}),
        call("unregister", eventId=event_id, userId=first),
    ]

    # Then every request succeeded after retries, the waitlisted person was promoted, once
    assert [a.status for a in answers] == [201, 201, 200]
    assert answers[2].body["promotedUserId"] == second
    assert faults.injected["TransactWriteItems"] == 4
    assert_invariants(ddb, event_id)
    assert [r["userId"] for r in registration_rows(ddb, event_id)] == [second]


def test_transaction_conflicts_are_retried_from_a_fresh_read(ddb, faults):
    # Given every registration write meets a conflicting transaction three times
    event_id = new_event(capacity=3)
    users = new_users(3)
    faults.fail("TransactWriteItems", 9, fault.transaction_conflict())

    # When three people register, one after the other
    answers = [call("register", eventId=event_id, body={"userId": u}) for u in users]

    # Then all of them got a spot and the counters agree with the rows
    assert [a.status for a in answers] == [201, 201, 201]
    assert faults.injected["TransactWriteItems"] == 9
    assert_invariants(ddb, event_id)
    assert read_event_item(ddb, event_id)["registeredCount"] == 3  # type: ignore[index]


def test_a_single_item_write_meeting_a_transaction_is_retried(ddb, faults):
    faults.fail("PutItem", 2, fault.error("TransactionConflictException"), table="UsersTable")
    user_id = unique("user")
    answer = call("create_user", body={"userId": user_id, "name": "Ana"})
    assert answer.status == 201
    assert call("get_user", userId=user_id).status == 200


# (route, the DynamoDB operation that stays throttled while it runs)
OUTAGES = [
    ("register", "TransactWriteItems"),
    ("unregister", "TransactWriteItems"),
    ("update_event", "TransactWriteItems"),
    ("set_waitlist", "TransactWriteItems"),
    ("create_event", "PutItem"),
    ("create_user", "PutItem"),
    ("get_event", "GetItem"),
    ("get_user", "GetItem"),
    ("list_events", "Query"),
    ("list_event_registrations", "Query"),
    ("list_user_registrations", "Query"),
    ("delete_event", "UpdateItem"),
]


def _request_for(route: str, event_id: str, registered: str, newcomer: str) -> dict[str, Any]:
    requests: dict[str, dict[str, Any]] = {
        "register": {"eventId": event_id, "body": {"userId": newcomer}},
        "unregister": {"eventId": event_id, "userId": registered},
        "update_event": {"eventId": event_id, "body": {"capacity": 3}},
        "set_waitlist": {"eventId": event_id, "body": {"waitlistEnabled": False}},
        "create_event": {"body": event_body()},
        "create_user": {"body": {"userId": unique("user"), "name": "New"}},
        "get_event": {"eventId": event_id},
        "get_user": {"userId": registered},
        "list_events": {"query": {"status": "active"}},
        "list_event_registrations": {"eventId": event_id, "query": None},
        "list_user_registrations": {"userId": registered, "query": None},
        "delete_event": {"eventId": event_id},
    }
    return requests[route]


@pytest.mark.parametrize(("route", "operation"), OUTAGES)
def test_sustained_throttling_is_503_with_retry_after_and_changes_nothing(ddb, faults, route, operation):
    # Given a full event with a waitlist, and an operation DynamoDB keeps throttling
    event_id = new_event(capacity=1, waitlistEnabled=True)
    registered, waiting, newcomer = new_users(3)
    for user_id in (registered, waiting):
        assert call("register", eventId=event_id, body={"userId": user_id}).status == 201
    before = (read_event_item(ddb, event_id), registration_rows(ddb, event_id))
    faults.fail(operation, 10_000, fault.error(THROTTLES[len(route) % len(THROTTLES)]))

    # When the route is called
    answer = call(route, **_request_for(route, event_id, registered, newcomer))

    # Then the client is told to retry later, the attempts were bounded, and nothing changed
    assert_busy(answer)
    assert faults.injected[operation] <= 2 * 4, faults.injected  # 2 attempts x botocore's 4
    faults.stop()
    assert (read_event_item(ddb, event_id), registration_rows(ddb, event_id)) == before
    assert_invariants(ddb, event_id, user_ids=(registered, waiting, newcomer))


def test_sustained_transaction_conflict_is_503_and_writes_nothing(ddb, faults):
    event_id = new_event(capacity=1)
    (user_id,) = new_users(1)
    faults.fail("TransactWriteItems", 10_000, fault.transaction_conflict())

    answer = call("register", eventId=event_id, body={"userId": user_id})

    assert_busy(answer)
    assert faults.injected["TransactWriteItems"] == 25  # every optimistic attempt, then Busy
    assert registration_rows(ddb, event_id) == []
    assert_invariants(ddb, event_id)


@pytest.mark.parametrize("failure", ["connection", "500"])
def test_lost_connections_and_server_errors_are_503(ddb, faults, failure):
    event_id = new_event()
    injected = (
        fault.connection_error()
        if failure == "connection"
        else fault.error("InternalServerError", status=500)
    )
    faults.fail("GetItem", 10_000, injected)
    assert_busy(call("get_event", eventId=event_id))


def test_a_lost_registration_response_is_not_applied_twice(ddb, faults):
    # Given a registration that DynamoDB applies but whose answer is lost (the SDK retries it)
    event_id = new_event(capacity=1, waitlistEnabled=True)
    first, second = new_users(2)
    faults.lose_response("TransactWriteItems")

    # When it is made
    answer = call("register", eventId=event_id, body={"userId": first})

    # Then the retry found the transaction done (botocore's ClientRequestToken, one per call):
    # 201, not "already registered"
    assert answer.status == 201, answer.body
    assert faults.injected["TransactWriteItems"] == 1
    assert [r["userId"] for r in registration_rows(ddb, event_id)] == [first]

    # And the same holds for leaving, with the promotion it carries
    assert call("register", eventId=event_id, body={"userId": second}).body["status"] == "waitlisted"
    faults.lose_response("TransactWriteItems")
    left = call("unregister", eventId=event_id, userId=first)
    assert (left.status, left.body["promotedUserId"]) == (200, second)
    assert_invariants(ddb, event_id)


@pytest.mark.parametrize("route", ["create_event", "create_user"])
def test_a_lost_create_response_is_success_not_already_exists(ddb, faults, route):
    # Given a create whose PutItem DynamoDB applies but whose answer is lost (the SDK retries it)
    body = event_body() if route == "create_event" else {"userId": unique("user"), "name": "Ana"}
    if route == "create_event":
        del body["eventId"]  # the server picks the id: a 409 would leave the client without it
    faults.lose_response("PutItem")

    # When it is made
    answer = call(route, body=body)

    # Then the retry recognised its own item: 201 with the created resource
    assert answer.status == 201, answer.body
    assert faults.injected["PutItem"] == 1
    if route == "create_event":
        assert call("get_event", eventId=answer.body["eventId"]).status == 200


def test_a_purge_that_fails_mid_delete_is_applied_then_finished(ddb, faults):
    # Given an event with registrations, and DynamoDB throttling the purge's batch deletes
    event_id = new_event(capacity=3)
    users = new_users(3)
    for user_id in users:
        assert call("register", eventId=event_id, body={"userId": user_id}).status == 201
    faults.fail("BatchWriteItem", 10_000, fault.error("ProvisionedThroughputExceededException"))

    # When the event is deleted: the event is gone for readers, and the answer says the purge
    # goes on in the background (202, never a 503 after the delete was applied)
    deleted = call("delete_event", eventId=event_id)
    assert (deleted.status, deleted.body["eventId"]) == (202, event_id)
    assert deleted.header("Location") == f"/events/{event_id}"
    assert call("get_event", eventId=event_id).status == 404

    # When the outage ends and the client retries
    faults.stop()
    retried = call("delete_event", eventId=event_id)

    # Then the handed-over tombstone is adopted at once: by the retry, which purges it, or by the
    # events stream's function of a local server on this DynamoDB Local that got there first (it
    # polls a fresh tombstone each second) and finishes it. Never left handed over: nothing is left.
    assert retried.status == 404
    tombstone = read_event_item(ddb, event_id)
    assert tombstone is None or tombstone["deletedAt"] != RELEASED_AT, "the retry did not adopt it"
    assert gone_within(ddb, event_id, seconds=120)
    assert registration_rows(ddb, event_id) == []
    assert_invariants(ddb, event_id, user_ids=tuple(users))


def gone_within(ddb: Any, event_id: str, *, seconds: float) -> bool:
    """Whether the event's item (a tombstone whose purge is under way) is gone within `seconds`."""
    deadline = time.monotonic() + seconds
    while read_event_item(ddb, event_id) is not None:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


READ_FAULTS = [
    fault.error("ThrottlingException"),
    fault.error("ProvisionedThroughputExceededException"),
    fault.error("InternalServerError", status=500),
    fault.connection_error(),
]
WRITE_FAULTS = [*READ_FAULTS, fault.transaction_conflict(), fault.LOST_RESPONSE]


def test_concurrent_traffic_through_a_fault_storm_keeps_every_invariant(ddb, faults, env):
    # Given a small event with a waitlist and twelve people, and DynamoDB failing a third of the
    # attempts of every write and read the registrations make (seeded, so the storm is reproducible)
    event_id = new_event(capacity=3, waitlistEnabled=True)
    users = new_users(12)
    faults.chaos("TransactWriteItems", 0.33, WRITE_FAULTS, seed=1)
    for seed, operation in enumerate(("BatchGetItem", "Query", "GetItem"), start=2):
        faults.chaos(operation, 0.33, READ_FAULTS, seed=seed)

    # When everybody registers at once, then half of them leave at once, under the storm
    joins = run_concurrently([partial(call, "register", eventId=event_id, body={"userId": u}) for u in users])
    leaves = run_concurrently([partial(call, "unregister", eventId=event_id, userId=u) for u in users[::2]])

    # Then nobody got a 5xx other than 503 (a 202 is a request still queued), and once the queue
    # is admitted (what its stream function does) the tables are consistent
    statuses = Counter(a.status for a in joins + leaves)
    assert set(statuses) <= {200, 201, 202, 404, 409, 503}, statuses
    assert faults.total > 20, faults.injected
    faults.stop()
    keep_admitting(event_id, seconds=30)
    assert_invariants(ddb, event_id, user_ids=tuple(users))

    # And a person who got a 201 holds a place, unless they left with a 200 (or an applied 503)
    placed = {u for u, a in zip(users, joins, strict=True) if a.status == 201}
    left = {u for u, a in zip(users[::2], leaves, strict=True) if a.status == 200}
    holders = {r["userId"] for r in registration_rows(ddb, event_id)}
    assert placed - left - holders <= set(users[::2]), (placed, left, holders)
    assert left.isdisjoint(holders)


def test_fault_injection_itself_reaches_the_sdk_retry_handler(env):
    # botocore retries an injected throttle like a real one: one call, three attempts
    from event_core.store.client import dynamodb

    with Faults(dynamodb()) as injected:
        injected.fail("DescribeLimits", 2, fault.error("ThrottlingException"))
        dynamodb().describe_limits()
    assert (injected.injected["DescribeLimits"], injected.attempts["DescribeLimits"]) == (2, 3)
