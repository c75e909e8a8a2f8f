"""What the functions tell operators: business metrics, correlated logs, and 5xx that leak nothing."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from event_core.observability import logger, metrics
from event_core.store import events as event_store
from local_api.samples import sample
from tests.support.builders import a_user, an_event, register_all
from tests.support.lambda_runner import Answer, invoke
from tests.support.moto_aws import function_setup, moto_session

moto_client = pytest.fixture(scope="module", name="moto_client")(moto_session)


@pytest.fixture(autouse=True)
def tables(moto_client: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with function_setup(moto_client, monkeypatch):
        yield


@pytest.fixture
def log_stream(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """What the Powertools logger writes (its handler holds the stdout of import time)."""
    stream = io.StringIO()
    monkeypatch.setattr(logger.registered_handler, "stream", stream)
    return stream


def run(
    name: str, capsys: pytest.CaptureFixture[str], log_stream: io.StringIO, **request: Any
) -> tuple[Answer, list[dict[str, Any]]]:
    """Invoke a handler after the Given-steps; its answer and the JSON lines it printed."""
    metrics.clear_metrics()  # what the setup's use cases counted is not this invocation's
    capsys.readouterr()
    log_stream.seek(0)
    log_stream.truncate()
    answer = invoke(name, sample(name, **request))
    printed = capsys.readouterr().out.splitlines() + log_stream.getvalue().splitlines()
    return answer, [json.loads(line) for line in printed if line.startswith("{")]


def business_metrics(lines: list[dict[str, Any]]) -> dict[str, float]:
    counted: dict[str, float] = {}
    for line in lines:
        for directive in line.get("_aws", {}).get("CloudWatchMetrics", []):
            assert directive["Namespace"]
            for metric in directive["Metrics"]:
                if metric["Name"] == "ColdStart":
                    continue
                value = line[metric["Name"]]
                counted[metric["Name"]] = sum(value) if isinstance(value, list) else value
    return counted


def logs(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if "level" in line]


def test_registering_counts_spots_waitlist_joins_and_full_rejections(capsys, log_stream):
    open_event = an_event(capacity=1, waitlist=True)
    closed_event = an_event(capacity=1, waitlist=False)
    register_all(closed_event, [a_user()])

    _, spot = run(
        "register", capsys, log_stream, path_params={"eventId": open_event}, body={"userId": a_user()}
    )
    _, waiting = run(
        "register", capsys, log_stream, path_params={"eventId": open_event}, body={"userId": a_user()}
    )
    full, rejected = run(
        "register", capsys, log_stream, path_params={"eventId": closed_event}, body={"userId": a_user()}
    )

    assert business_metrics(spot) == {"Registrations": 1}
    assert business_metrics(waiting) == {"WaitlistJoins": 1}
    assert (full.status, business_metrics(rejected)) == (409, {"FullRejections": 1})


def test_promotions_are_counted_when_a_spot_frees_and_when_capacity_grows(capsys, log_stream):
    event_id = an_event(capacity=1, waitlist=True)
    first, *waiting = [a_user() for _ in range(4)]
    register_all(event_id, [first, *waiting])

    _, unregistered = run(
        "unregister", capsys, log_stream, path_params={"eventId": event_id, "userId": first}
    )
    _, raised = run(
        "update_event", capsys, log_stream, path_params={"eventId": event_id}, body={"capacity": 3}
    )

    assert business_metrics(unregistered) == {"Promotions": 1}
    assert business_metrics(raised) == {"Promotions": 2}


def test_an_unexpected_error_is_a_generic_500_naming_the_request_and_logged_in_full(
    capsys, log_stream, monkeypatch
):
    # Given reading an event fails in a way the code does not expect
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("table arn:aws:dynamodb:us-east-1:123456789012:table/EventsTable is on fire")

    monkeypatch.setattr(event_store, "get", broken)

    # When the event is read
    event = sample("get_event")
    request_id = event["requestContext"]["requestId"]
    answer, lines = run("get_event", capsys, log_stream)

    # Then the client learns nothing but the request id; the log has the details, correlated
    assert (answer.status, answer.body) == (500, {"detail": "Internal server error", "requestId": request_id})
    assert "arn:aws" not in answer.raw["body"]
    (error,) = [line for line in logs(lines) if line["level"] == "ERROR"]
    assert error["correlation_id"] == request_id
    assert "is on fire" in error["exception"]
