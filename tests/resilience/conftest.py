"""Fixtures of the resilience tests: handlers invoked in-process on DynamoDB Local, with faults.

`call(name, ...)` invokes functions/<name>'s lambda_handler the way API Gateway would (the
events/ sample with parts replaced), against DynamoDB Local and the template's tables, including
IdempotencyTable. `faults` injects DynamoDB failures into the process's client (see faults.py).
Backoff sleeps (botocore's and event_core's) are cut to zero so retries cost no wall time.

At the end of the session the number of injected faults and fuzzed requests is reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from botocore.retries.standard import ExponentialBackoff

from local_api.samples import sample
from tests.resilience.faults import Faults
from tests.resilience.totals import TOTALS
from tests.support.bodies import event_body, unique
from tests.support.lambda_runner import Answer, invoke

_KEEP: Any = object()


def call(
    name: str,
    *,
    body: Any = _KEEP,
    raw_body: Any = _KEEP,
    headers: Mapping[str, str | None] | None = None,
    query: Any = _KEEP,
    **path_params: str,
) -> Answer:
    """functions/<name> invoked with its sample event, parts replaced (see local_api.samples.sample)."""
    options: dict[str, Any] = {"path_params": path_params or None, "headers": dict(headers or {})}
    if body is not _KEEP:
        options["body"] = body
    if raw_body is not _KEEP:
        options["raw_body"] = raw_body
    if query is not _KEEP:
        options["query"] = query
    return invoke(name, sample(name, **options))


def new_event(**overrides: Any) -> str:
    answer = call("create_event", body=event_body(**overrides))
    assert answer.status == 201, answer.body
    return str(answer.body["eventId"])


def new_users(count: int) -> list[str]:
    user_ids = [unique("user") for _ in range(count)]
    for user_id in user_ids:
        answer = call("create_user", body={"userId": user_id, "name": "Resilient Person"})
        assert answer.status == 201, answer.body
    return user_ids


@pytest.fixture
def env(local_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """local_env (DynamoDB Local, the template's tables), without backoff sleeps."""
    from event_core.observability import metrics
    from event_core.store import retry

    # The process's Metrics object may predate local_env's POWERTOOLS_METRICS_NAMESPACE.
    monkeypatch.setattr(metrics.provider, "namespace", local_env["POWERTOOLS_METRICS_NAMESPACE"])
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    monkeypatch.setattr(retry, "pause", lambda number, **_: None)
    return local_env


@pytest.fixture
def ddb(env: dict[str, str], ddb_client: Any) -> Any:
    """A raw client for checks behind the API's back (never the one faults are injected into)."""
    return ddb_client


@pytest.fixture
def faults(env: dict[str, str]) -> Iterator[Faults]:
    """Faults injected into event_core's DynamoDB client for the duration of the test."""
    from event_core.store.client import dynamodb

    with Faults(dynamodb()) as injected:
        yield injected
    TOTALS["faults injected"] += injected.total


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TOTALS:
        line = ", ".join(f"{count} {what}" for what, count in sorted(TOTALS.items()))
        terminalreporter.write_line(f"resilience: {line}")
