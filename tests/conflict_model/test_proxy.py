"""The model proxy against DynamoDB Local: the documented conflicts, their exact error shapes,
latencies and billing.

An ongoing transaction is made deterministic by holding its items in the model directly, as the
proxy does for a TransactWriteItems in flight; one test also races two real transactions.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from dynamodb_model.inflight import Hold
from dynamodb_model.kinds import Kind
from dynamodb_model.operations import item_key
from dynamodb_model.proxy import STATS_PATH
from local_api.net import wait_until
from tests.conflict_model.conftest import TABLE, TEST_LATENCIES

EVENTS = TABLE  # items keyed like events, in the model tests' own table


def _event_key(event_id: str) -> dict:
    return {"eventId": {"S": event_id}}


def _new_event(client) -> str:
    event_id = f"model-{uuid.uuid4().hex[:10]}"
    client.put_item(TableName=EVENTS, Item={**_event_key(event_id), "n": {"N": "0"}})
    return event_id


def _increment(event_id: str) -> Any:
    return {
        "Update": {
            "TableName": EVENTS,
            "Key": _event_key(event_id),
            "UpdateExpression": "SET n = n + :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }


def _hold(model, kind: Kind, event_id: str) -> Hold:
    hold = model.inflight.begin(kind, [item_key(EVENTS, _event_key(event_id))])
    assert isinstance(hold, Hold)
    return hold


def _n(client, event_id: str) -> str:
    return client.get_item(TableName=EVENTS, Key=_event_key(event_id))["Item"]["n"]["N"]


@pytest.mark.parametrize(
    "write",
    [
        lambda c, e: c.put_item(TableName=EVENTS, Item={**_event_key(e), "n": {"N": "9"}}),
        lambda c, e: c.update_item(
            TableName=EVENTS,
            Key=_event_key(e),
            UpdateExpression="SET n = :v",
            ExpressionAttributeValues={":v": {"N": "9"}},
        ),
        lambda c, e: c.delete_item(TableName=EVENTS, Key=_event_key(e)),
    ],
    ids=["PutItem", "UpdateItem", "DeleteItem"],
)
def test_a_single_item_write_during_a_transaction_fails_with_transaction_conflict(model, client, write):
    event_id = _new_event(client)
    hold = _hold(model, Kind.TRANSACT_WRITE, event_id)

    with pytest.raises(ClientError) as raised:
        write(client, event_id)

    model.inflight.end(hold)
    error = raised.value.response
    assert error["Error"]["Code"] == "TransactionConflictException"
    assert error["Error"]["Message"] == "Transaction is ongoing for the item"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert _n(client, event_id) == "0"  # nothing written


def test_a_transaction_meeting_another_is_cancelled_with_a_reason_per_action(model, client):
    held, free = _new_event(client), _new_event(client)
    hold = _hold(model, Kind.TRANSACT_WRITE, held)

    with pytest.raises(ClientError) as raised:
        client.transact_write_items(TransactItems=[_increment(free), _increment(held)])

    model.inflight.end(hold)
    error = raised.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException"
    assert error["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"},
    ]
    assert "[None, TransactionConflict]" in error["Error"]["Message"]
    assert (_n(client, free), _n(client, held)) == ("0", "0")  # all or nothing


def test_a_transaction_meeting_a_transactional_read_is_cancelled(model, client):
    event_id = _new_event(client)
    hold = _hold(model, Kind.TRANSACT_GET, event_id)

    with pytest.raises(ClientError) as raised:
        client.transact_write_items(TransactItems=[_increment(event_id)])

    model.inflight.end(hold)
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"


@pytest.mark.parametrize("ongoing", [Kind.TRANSACT_WRITE, Kind.SINGLE_WRITE, Kind.BATCH_WRITE])
def test_a_transactional_read_meeting_a_write_is_cancelled(model, client, ongoing):
    event_id = _new_event(client)
    hold = _hold(model, ongoing, event_id)

    with pytest.raises(ClientError) as raised:
        client.transact_get_items(TransactItems=[{"Get": {"TableName": EVENTS, "Key": _event_key(event_id)}}])

    model.inflight.end(hold)
    assert raised.value.response["CancellationReasons"][0]["Code"] == "TransactionConflict"


def test_a_batch_write_on_an_item_of_an_ongoing_transaction_fails_with_transaction_conflict(model, client):
    event_id = _new_event(client)
    hold = _hold(model, Kind.TRANSACT_WRITE, event_id)

    with pytest.raises(ClientError) as raised:
        client.batch_write_item(RequestItems={EVENTS: [{"DeleteRequest": {"Key": _event_key(event_id)}}]})

    model.inflight.end(hold)
    assert raised.value.response["Error"]["Code"] == "TransactionConflictException"


def test_plain_reads_succeed_during_a_transaction(model, client):
    event_id = _new_event(client)
    hold = _hold(model, Kind.TRANSACT_WRITE, event_id)

    item = client.get_item(TableName=EVENTS, Key=_event_key(event_id), ConsistentRead=True)["Item"]
    queried = client.query(
        TableName=EVENTS,
        KeyConditionExpression="eventId = :e",
        ExpressionAttributeValues={":e": {"S": event_id}},
    )["Items"]

    model.inflight.end(hold)
    assert item["n"] == {"N": "0"}
    assert len(queried) == 1


def test_writes_to_other_items_are_not_affected(model, client):
    held, other = _new_event(client), _new_event(client)
    hold = _hold(model, Kind.TRANSACT_WRITE, held)

    client.transact_write_items(TransactItems=[_increment(other)])

    model.inflight.end(hold)
    assert _n(client, other) == "1"


def test_of_two_racing_transactions_on_one_item_the_second_is_cancelled(ddb_endpoint, model_table):
    from dynamodb_model import Latencies, start_model
    from local_api.clients import dynamodb_client

    slow = Latencies(transact_write=3.0)  # the first holds the item long enough to be met
    with start_model(ddb_endpoint, slow) as model:
        client = dynamodb_client(model.endpoint, attempts=1, timeout=30)
        event_id = _new_event(client)
        first = threading.Thread(
            target=client.transact_write_items, kwargs={"TransactItems": [_increment(event_id)]}
        )
        first.start()
        assert wait_until(lambda: model.inflight.count() == 1, timeout=5)

        with pytest.raises(ClientError) as raised:
            dynamodb_client(model.endpoint, attempts=1).transact_write_items(
                TransactItems=[_increment(event_id)]
            )
        assert _n(client, event_id) == "0"  # the first commits at its end: readers see the old item
        first.join()

        assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
        assert _n(client, event_id) == "1"
        stats = model.stats.snapshot()
        assert stats.cancelled == 1
        assert stats.requests["TransactWriteItems"] == 2


def test_each_operation_takes_at_least_its_modeled_latency(model, client):
    event_id = _new_event(client)

    started = time.monotonic()
    client.get_item(TableName=EVENTS, Key=_event_key(event_id))
    read = time.monotonic() - started
    started = time.monotonic()
    client.transact_write_items(TransactItems=[_increment(event_id)])
    transaction = time.monotonic() - started

    assert read >= TEST_LATENCIES.read
    assert transaction >= TEST_LATENCIES.transact_write


def test_dynamodb_locals_own_answers_pass_through(model, client):
    event_id = _new_event(client)

    with pytest.raises(ClientError) as raised:
        client.put_item(
            TableName=EVENTS,
            Item={**_event_key(event_id), "n": {"N": "1"}},
            ConditionExpression="attribute_not_exists(eventId)",
        )

    assert raised.value.response["Error"]["Code"] == "ConditionalCheckFailedException"


def test_billing_counts_two_write_units_per_transaction_item_and_one_per_single_write(model, client):
    event_id = _new_event(client)  # PutItem: 1
    other = _new_event(client)  # PutItem: 1
    model.stats.reset()

    client.transact_write_items(TransactItems=[_increment(event_id), _increment(other)])  # 4
    client.update_item(
        TableName=EVENTS,
        Key=_event_key(event_id),
        UpdateExpression="SET n = :v",
        ExpressionAttributeValues={":v": {"N": "5"}},
    )  # 1
    client.get_item(TableName=EVENTS, Key=_event_key(event_id))  # reads bill read units, not counted

    stats = requests.get(model.endpoint + STATS_PATH, timeout=5).json()
    assert stats["write_units"] == 5
    assert stats["requests"] == {"TransactWriteItems": 1, "UpdateItem": 1, "GetItem": 1}
