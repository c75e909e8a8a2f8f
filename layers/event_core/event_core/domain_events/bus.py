"""Publishing domain events to the EventBridge bus with PutEvents.

PutEvents is not all-or-nothing: it may accept some entries and refuse others (throttled,
internal failure), answering 200 with a per-entry error. `publish` raises PublishFailed when any
entry was refused, so the stream record is retried; entries that did go out are published again
on the retry with the same id, which consumers de-duplicate.

Locally, AWS_ENDPOINT_URL_EVENTBRIDGE points the client at the local stack's moto server
(tools/local_api/moto_server.py), which holds the template's bus; the code here is the same.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, Protocol, cast

from botocore.session import Session

from event_core.domain_events.models import SOURCE, DomainEvent
from event_core.observability import trace_aws_calls
from event_core.store.client import client_config

MAX_ENTRIES_PER_CALL = 10  # the PutEvents limit
DEFAULT_BUS = "DomainEventBus"  # the template's logical id: the local name of the bus


class PutEventsClient(Protocol):
    def put_events(self, *, Entries: list[dict[str, Any]]) -> dict[str, Any]: ...


class PublishFailed(RuntimeError):
    """Some entries were refused; `refused` maps domain event id -> "ErrorCode: message"."""

    def __init__(self, refused: dict[str, str]) -> None:
        self.refused = refused
        super().__init__(f"EventBridge refused {len(refused)} event(s): {refused}")


@cache
def bus_name() -> str:
    return os.environ.get("EVENT_BUS_NAME") or DEFAULT_BUS


@cache
def eventbridge() -> PutEventsClient:
    trace_aws_calls()
    return cast("PutEventsClient", Session().create_client("events", config=client_config()))


def entry(event: DomainEvent, bus: str) -> dict[str, Any]:
    """The PutEvents entry of a domain event: the envelope is the detail."""
    return {
        "Source": SOURCE,
        "DetailType": event.type,
        "Detail": event.model_dump_json(),
        "EventBusName": bus,
        "Time": datetime.fromisoformat(event.occurredAt),
    }


def publish(events: Sequence[DomainEvent], client: PutEventsClient | None = None) -> None:
    """Put every event on the bus, or raise PublishFailed naming the ones that did not go."""
    client = client or eventbridge()
    refused: dict[str, str] = {}
    for start in range(0, len(events), MAX_ENTRIES_PER_CALL):
        chunk = events[start : start + MAX_ENTRIES_PER_CALL]
        response = client.put_events(Entries=[entry(event, bus_name()) for event in chunk])
        if not response.get("FailedEntryCount"):
            continue
        for event, result in zip(chunk, response["Entries"], strict=True):
            if result.get("ErrorCode"):
                refused[event.id] = f"{result['ErrorCode']}: {result.get('ErrorMessage', '')}"
    if refused:
        raise PublishFailed(refused)
