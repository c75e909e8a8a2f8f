"""The conflict rules of DynamoDB's developer guide ("Transaction conflict handling"), as data."""

from __future__ import annotations

import pytest

from dynamodb_model.inflight import Hold, InFlight
from dynamodb_model.kinds import Kind, conflicts
from dynamodb_model.latency import Latencies

WRITES = (Kind.SINGLE_WRITE, Kind.BATCH_WRITE)
ITEM = ("EventsTable", '{"eventId":{"S":"e1"}}')
OTHER_ITEM = ("EventsTable", '{"eventId":{"S":"e2"}}')


@pytest.mark.parametrize("incoming", WRITES)
def test_a_single_item_write_conflicts_with_an_ongoing_transaction_on_its_item(incoming):
    assert conflicts(incoming, Kind.TRANSACT_WRITE)


@pytest.mark.parametrize("ongoing", [Kind.TRANSACT_WRITE, Kind.TRANSACT_GET])
def test_a_transaction_conflicts_with_ongoing_transactions_on_its_items(ongoing):
    assert conflicts(Kind.TRANSACT_WRITE, ongoing)


@pytest.mark.parametrize("ongoing", [Kind.TRANSACT_WRITE, Kind.BATCH_WRITE, Kind.SINGLE_WRITE])
def test_a_transactional_read_conflicts_with_ongoing_writes_of_its_items(ongoing):
    assert conflicts(Kind.TRANSACT_GET, ongoing)


@pytest.mark.parametrize("ongoing", list(Kind))
def test_plain_reads_never_conflict(ongoing):
    assert not conflicts(Kind.READ, ongoing)


@pytest.mark.parametrize("incoming", WRITES)
@pytest.mark.parametrize("ongoing", [*WRITES, Kind.READ, Kind.TRANSACT_GET])
def test_single_item_writes_are_serialized_not_rejected(incoming, ongoing):
    assert not conflicts(incoming, ongoing)


def test_a_transaction_is_not_rejected_by_an_ongoing_single_item_write():
    assert not conflicts(Kind.TRANSACT_WRITE, Kind.SINGLE_WRITE)


def test_a_conflicting_operation_holds_nothing_and_names_its_conflicting_items():
    inflight = InFlight()
    first = inflight.begin(Kind.TRANSACT_WRITE, [ITEM])
    assert isinstance(first, Hold)

    second = inflight.begin(Kind.TRANSACT_WRITE, [OTHER_ITEM, ITEM])

    assert second == [1]
    assert inflight.count() == 1
    assert isinstance(inflight.begin(Kind.TRANSACT_WRITE, [OTHER_ITEM]), Hold)  # e2 was not held


def test_an_item_is_free_again_when_its_transaction_ends():
    inflight = InFlight()
    hold = inflight.begin(Kind.TRANSACT_WRITE, [ITEM])
    assert isinstance(hold, Hold)

    inflight.end(hold)

    assert inflight.count() == 0
    assert isinstance(inflight.begin(Kind.TRANSACT_WRITE, [ITEM]), Hold)


def test_overlapping_single_writes_hold_an_item_until_the_last_one_ends():
    inflight = InFlight()
    first = inflight.begin(Kind.SINGLE_WRITE, [ITEM])
    second = inflight.begin(Kind.SINGLE_WRITE, [ITEM])
    assert isinstance(first, Hold)
    assert isinstance(second, Hold)

    inflight.end(first)

    assert inflight.begin(Kind.TRANSACT_GET, [ITEM]) == [0]
    inflight.end(second)
    assert isinstance(inflight.begin(Kind.TRANSACT_GET, [ITEM]), Hold)


def test_latencies_come_from_the_environment_in_milliseconds_and_scale():
    latencies = Latencies.from_env({"DYNAMODB_MODEL_TRANSACT_WRITE_MS": "30", "DYNAMODB_MODEL_SCALE": "2"})

    assert latencies.of(Kind.TRANSACT_WRITE) == pytest.approx(0.060)
    assert latencies.of(Kind.READ) == pytest.approx(Latencies().read * 2)
    assert latencies.of_rejection() == pytest.approx(Latencies().rejected * 2)
