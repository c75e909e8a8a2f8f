"""The retry policy of event_core.store.retry, without DynamoDB: what is retried, how often."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from event_core.errors import Busy
from event_core.store import retry


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "x"}}, "TransactWriteItems")


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry.time, "sleep", lambda _seconds: None)


def failing(errors: list[BaseException], result: str = "done") -> tuple[Callable[[], str], list[int]]:
    calls: list[int] = []

    def attempt() -> str:
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return result

    return attempt, calls


@pytest.mark.parametrize(
    "error",
    [
        client_error("ThrottlingException"),
        client_error("TransactionConflictException"),
        EndpointConnectionError(endpoint_url="http://x"),
        ReadTimeoutError(endpoint_url="http://x"),
    ],
)
def test_transient_errors_are_recognised(error: Any):
    assert retry.is_transient(error)


@pytest.mark.parametrize(
    "error", [client_error("ValidationException"), client_error("ResourceNotFoundException"), ValueError()]
)
def test_other_errors_are_not(error: Any):
    assert not retry.is_transient(error)


def test_throttling_gets_one_more_round_after_the_sdk_then_busy():
    attempt, calls = failing([client_error("ThrottlingException")] * 10)
    with pytest.raises(Busy):
        retry.with_retries(attempt)
    assert len(calls) == retry.TRANSIENT_ATTEMPTS == 2


def test_a_burst_of_throttling_shorter_than_the_budget_is_ridden_out():
    attempt, calls = failing([client_error("ProvisionedThroughputExceededException")])
    assert retry.with_retries(attempt) == "done"
    assert len(calls) == 2


def test_conflicts_are_retried_like_lost_races():
    attempt, calls = failing(
        [client_error("TransactionConflictException")] * 10 + [retry.StateChanged()] * 10
    )
    assert retry.with_retries(attempt) == "done"
    assert len(calls) == 21


def test_non_transient_errors_are_raised_at_once():
    attempt, calls = failing([client_error("ValidationException")])
    with pytest.raises(ClientError):
        retry.with_retries(attempt)
    assert len(calls) == 1


def test_unprocessed_batches_back_off_and_give_up_with_busy(monkeypatch: pytest.MonkeyPatch):
    pauses: list[int] = []
    monkeypatch.setattr(retry, "pause", lambda number, **_: pauses.append(number))
    with pytest.raises(Busy):
        for _ in retry.unprocessed_rounds():
            pass  # never drains
    assert pauses == list(range(retry.UNPROCESSED_ROUNDS - 1))


def test_a_batch_that_drains_stops_without_busy():
    rounds = []
    for number in retry.unprocessed_rounds():
        rounds.append(number)
        if number == 2:
            break
    assert rounds == [0, 1, 2]
