"""Fixtures of the domain events tests: the stream processor's environment, a stub EventBridge."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from event_core.domain_events import bus
from event_core.observability import metrics
from tests.support.environment import METRICS_NAMESPACE, clear_caches, use_function_environment

BUS = "test-bus"


@dataclass
class StubEventBridge:
    """Records PutEvents calls; refuses the entries whose domain event type or id is in
    `refuse` (once each), answering like EventBridge does: 200 with per-entry errors."""

    refuse: set[str] = field(default_factory=set)
    calls: list[list[dict[str, Any]]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)  # details, in order

    def put_events(self, *, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(Entries)
        results = []
        for entry in Entries:
            detail = json.loads(entry["Detail"])
            hit = {detail["type"], detail["id"]} & self.refuse
            if hit:
                self.refuse -= hit
                results.append({"ErrorCode": "InternalFailure", "ErrorMessage": "try again"})
            else:
                self.accepted.append(detail)
                results.append({"EventId": f"eb-{len(self.accepted)}"})
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


@pytest.fixture
def processor_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """What the template gives the stream processor (tables, bus, Powertools), tracing off."""
    use_function_environment(monkeypatch, EVENT_BUS_NAME=BUS)
    # The process-wide Metrics object read its namespace when first imported, maybe before this.
    monkeypatch.setattr(metrics, "namespace", METRICS_NAMESPACE)
    yield
    clear_caches()


@pytest.fixture
def eventbridge(processor_env: None, monkeypatch: pytest.MonkeyPatch) -> StubEventBridge:
    stub = StubEventBridge()
    monkeypatch.setattr(bus, "eventbridge", lambda: stub)
    return stub
