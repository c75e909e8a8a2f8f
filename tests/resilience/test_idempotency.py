"""Idempotency-Key on every POST: a retried request acts once and answers what it answered first.

Handlers are invoked in-process on DynamoDB Local (the IdempotencyTable comes from the template);
the last test goes through the local API server.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
import requests

from tests.resilience import faults as fault
from tests.resilience.conftest import call, new_event, new_users
from tests.support.bodies import event_body, unique
from tests.support.invariants import assert_invariants, registration_rows
from tests.support.lambda_runner import ORIGIN, load_function

KEY = "Idempotency-Key"


def key() -> str:
    return unique("key")


def stored_records(ddb: Any) -> list[dict[str, Any]]:
    return ddb.scan(TableName="IdempotencyTable", ConsistentRead=True)["Items"]


def test_create_event_retried_with_the_same_key_creates_one_event(ddb, env):
    # Given an event without an id (the server generates one), sent with a key
    body = event_body()
    del body["eventId"]
    headers = {KEY: key()}

    # When the client sends it twice (the first answer was lost on the way back)
    first = call("create_event", body=body, headers=headers)
    second = call("create_event", body=body, headers=headers)

    # Then the second answer is the first one, replayed; only one event exists
    assert first.status == second.status == 201
    assert second.body == first.body
    assert second.header("Idempotent-Replayed") == "true"
    assert first.header("Idempotent-Replayed") is None
    assert call("get_event", eventId=first.body["eventId"]).status == 200


def test_register_retried_with_the_same_key_registers_once_and_answers_201(ddb, env):
    # Given an event and a user
    event_id = new_event(capacity=2)
    (user_id,) = new_users(1)
    headers = {KEY: key()}

    # When the registration is sent twice with one key
    first = call("register", eventId=event_id, body={"userId": user_id}, headers=headers)
    second = call("register", eventId=event_id, body={"userId": user_id}, headers=headers)

    # Then both answers are the 201 (not 409 "Already registered"), and one place was taken
    assert (first.status, second.status) == (201, 201)
    assert second.body == first.body
    assert len(registration_rows(ddb, event_id)) == 1
    assert_invariants(ddb, event_id)


def test_without_a_key_a_retry_is_a_second_request(ddb, env):
    event_id = new_event(capacity=2)
    (user_id,) = new_users(1)

    first = call("register", eventId=event_id, body={"userId": user_id})
    second = call("register", eventId=event_id, body={"userId": user_id})

    assert (first.status, second.status) == (201, 409)
    assert second.body == {"detail": "Already registered for this event"}
    assert call("create_user", body={"userId": user_id, "name": "Again"}).status == 409


def test_the_header_name_is_case_insensitive_and_json_formatting_does_not_matter(ddb, env):
    # Given a user created with a key
    user_id = unique("user")
    value = key()
    first = call("create_user", body={"userId": user_id, "name": "Ana"}, headers={"idempotency-key": value})

    # When the retry spells the header differently and formats the same JSON differently
    retry = call(
        "create_user",
        raw_body=json.dumps({"name": "Ana", "userId": user_id}, indent=2),
        headers={"IDEMPOTENCY-KEY": value},
    )

    # Then it is the same request: replayed
    assert (first.status, retry.status) == (201, 201)
    assert retry.body == first.body
    assert retry.header("Idempotent-Replayed") == "true"


def test_the_same_key_with_another_body_is_422_and_does_nothing(ddb, env):
    # Given a key already used to create one user
    value = key()
    first_user, other_user = unique("user"), unique("user")
    assert call("create_user", body={"userId": first_user, "name": "Ana"}, headers={KEY: value}).status == 201

    # When the key is reused for a different user
    reused = call("create_user", body={"userId": other_user, "name": "Ben"}, headers={KEY: value})

    # Then the request is refused with the validation shape, naming the header, and not applied
    assert reused.status == 422
    assert reused.body == {
        "detail": [
            {
                "loc": ["header", KEY.lower()],
                "msg": f"This {KEY} was already used with a different request",
                "type": "idempotency_key_reused",
            }
        ]
    }
    assert call("get_user", userId=other_user).status == 404


def test_the_same_key_on_another_path_is_422(ddb, env):
    # Given a key used to register for one event
    first_event, second_event = new_event(), new_event()
    (user_id,) = new_users(1)
    value = key()
    assert call("register", eventId=first_event, body={"userId": user_id}, headers={KEY: value}).status == 201

    # When the same key and body go to another event's registrations
    reused = call("register", eventId=second_event, body={"userId": user_id}, headers={KEY: value})

    # Then it is a different request: refused, nothing written
    assert reused.status == 422
    assert registration_rows(ddb, second_event) == []


def test_keys_of_different_routes_do_not_meet(ddb, env):
    value = key()
    user_id = unique("user")
    assert call("create_user", body={"userId": user_id, "name": "Ana"}, headers={KEY: value}).status == 201
    created = call("create_event", body=event_body(), headers={KEY: value})
    assert created.status == 201
    assert created.header("Idempotent-Replayed") is None


def test_a_4xx_outcome_is_replayed_like_any_other(ddb, env):
    # Given a registration refused because the user does not exist yet
    event_id = new_event()
    user_id = unique("user")
    value = key()
    refused = call("register", eventId=event_id, body={"userId": user_id}, headers={KEY: value})
    assert refused.status == 404

    # When the user is created and the same request is retried with the same key
    new_user = call("create_user", body={"userId": user_id, "name": "Late"})
    assert new_user.status == 201
    replayed = call("register", eventId=event_id, body={"userId": user_id}, headers={KEY: value})
    fresh = call("register", eventId=event_id, body={"userId": user_id}, headers={KEY: key()})

    # Then the key answers what it answered first; a new key makes a new attempt
    assert (replayed.status, replayed.body) == (404, {"detail": "User not found"})
    assert replayed.header("Idempotent-Replayed") == "true"
    assert fresh.status == 201


def test_a_5xx_is_not_stored_so_the_retry_gets_a_real_attempt(ddb, faults, env):
    # Given DynamoDB throttles every registration write until the retries run out
    event_id = new_event()
    (user_id,) = new_users(1)
    value = key()
    faults.fail("TransactWriteItems", 1000, fault.error("ThrottlingException"))
    busy = call("register", eventId=event_id, body={"userId": user_id}, headers={KEY: value})
    assert busy.status == 503
    assert busy.header("Retry-After") == "1"

    # When the throttling stops and the client retries with the same key
    faults.stop()
    retried = call("register", eventId=event_id, body={"userId": user_id}, headers={KEY: value})

    # Then the retry ran for real, and from then on the key replays its 201
    assert retried.status == 201
    assert retried.header("Idempotent-Replayed") is None
    assert call("register", eventId=event_id, body={"userId": user_id}, headers={KEY: value}).status == 201
    assert len(registration_rows(ddb, event_id)) == 1
    assert_invariants(ddb, event_id)


def test_a_duplicate_in_flight_is_409_with_retry_after(ddb, env, monkeypatch):
    # Given a registration that is still running when its duplicate arrives
    event_id = new_event()
    (user_id,) = new_users(1)
    value = key()
    handler = load_function("register")
    running, release = threading.Event(), threading.Event()
    real_register = handler.register

    def slow_register(*args: Any) -> Any:
        running.set()
        assert release.wait(30)
        return real_register(*args)

    monkeypatch.setattr(handler, "register", slow_register)
    first: list[Any] = []
    worker = threading.Thread(
        target=lambda: first.append(
            call("register", eventId=event_id, body={"userId": user_id}, headers={KEY: value})
        )
    )
    worker.start()
    assert running.wait(30)

    # When the duplicate arrives
    duplicate = call("register", eventId=event_id, body={"userId": user_id}, headers={KEY: value})
    release.set()
    worker.join(30)

    # Then it is told to come back; the first finishes, and a later retry gets its answer
    assert duplicate.status == 409
    assert duplicate.body == {"detail": f"A request with this {KEY} is still in progress"}
    assert duplicate.header("Retry-After") == "1"
    assert first[0].status == 201
    later = call("register", eventId=event_id, body={"userId": user_id}, headers={KEY: value})
    assert (later.status, later.body) == (201, first[0].body)
    assert len(registration_rows(ddb, event_id)) == 1


@pytest.mark.parametrize("value", ["", "has space", "x" * 256, "caf\u00e9"])
def test_a_malformed_key_is_422_and_nothing_runs(ddb, env, value):
    user_id = unique("user")
    answer = call("create_user", body={"userId": user_id, "name": "Ana"}, headers={KEY: value})
    assert answer.status == 422
    assert answer.body["detail"][0]["loc"] == ["header", KEY.lower()]
    assert call("get_user", userId=user_id).status == 404


def test_replayed_answers_carry_the_cors_headers_of_the_retry(ddb, env):
    value = key()
    body = {"userId": unique("user"), "name": "Ana"}
    call("create_user", body=body, headers={KEY: value, "Origin": None})
    replayed = call("create_user", body=body, headers={KEY: value, "Origin": ORIGIN})
    assert replayed.header("Idempotent-Replayed") == "true"
    assert replayed.header("Access-Control-Allow-Origin") == "*"
    assert replayed.header("Content-Type") == "application/json"


def test_idempotency_table_unavailable_is_503_and_nothing_runs(ddb, faults, env):
    # Given the idempotency table throttles every write
    event_id = new_event()
    (user_id,) = new_users(1)
    faults.fail(
        "PutItem", 1000, fault.error("ProvisionedThroughputExceededException"), table="IdempotencyTable"
    )

    # When a keyed registration arrives
    answer = call("register", eventId=event_id, body={"userId": user_id}, headers={KEY: key()})

    # Then the client is told to retry, and the registration did not run
    assert answer.status == 503
    assert answer.body["detail"] == "Service busy, please retry"
    assert answer.header("Retry-After") == "1"
    assert registration_rows(ddb, event_id) == []


def test_when_only_saving_the_answer_fails_the_client_still_gets_the_real_answer(ddb, faults, env):
    # Given the idempotency record cannot be completed after the registration ran
    event_id = new_event()
    (user_id,) = new_users(1)
    value = key()
    faults.fail("UpdateItem", 1000, fault.error("ThrottlingException"), table="IdempotencyTable")

    # When a keyed registration arrives
    answer = call("register", eventId=event_id, body={"userId": user_id}, headers={KEY: value})

    # Then the client gets the 201 of the registration that happened, not a misleading 503
    assert answer.status == 201
    assert len(registration_rows(ddb, event_id)) == 1

    # And the key stays "in progress" until the invocation's timeout has passed: a retry now is 409
    faults.stop()
    retry = call("register", eventId=event_id, body={"userId": user_id}, headers={KEY: value})
    assert retry.status == 409
    assert_invariants(ddb, event_id)


def test_records_hold_the_answer_under_a_hashed_key_for_24_hours(ddb, env):
    body = {"userId": unique("user"), "name": "Ana"}
    value = key()
    call("create_user", body=body, headers={KEY: value})
    records = [r for r in stored_records(ddb) if body["userId"] in r.get("data", {}).get("S", "")]
    assert len(records) == 1
    record = records[0]
    assert record["status"]["S"] == "COMPLETED"
    assert record["id"]["S"].startswith("idempotency-key#")
    assert value not in record["id"]["S"]  # hashed with the route and caller
    assert json.loads(record["data"]["S"])["statusCode"] == 201
    assert 23 * 3600 < int(record["expiration"]["N"]) - time.time() <= 24 * 3600


def test_over_http_the_local_server_replays_a_keyed_post(api_url):
    # The local server creates IdempotencyTable from the template and wires IDEMPOTENCY_TABLE
    body = {"userId": unique("user"), "name": "Over HTTP"}
    headers = {KEY: key()}
    first = requests.post(f"{api_url}/users", json=body, headers=headers, timeout=60)
    second = requests.post(f"{api_url}/users", json=body, headers=headers, timeout=60)
    other = requests.post(f"{api_url}/users", json={**body, "name": "Else"}, headers=headers, timeout=60)
    assert (first.status_code, second.status_code, other.status_code) == (201, 201, 422)
    assert second.json() == first.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
