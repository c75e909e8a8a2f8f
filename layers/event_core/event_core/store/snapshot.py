"""One consistent round trip that reads an event, a user and their registration together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from event_core.ids import is_queue_partition
from event_core.store import admission, events, registrations, users
from event_core.store.admission import QueuedRequest
from event_core.store.client import dynamodb
from event_core.store.events import StoredEvent
from event_core.store.registrations import StoredRegistration
from event_core.store.retry import unprocessed_rounds


@dataclass(frozen=True, slots=True)
class Snapshot:
    event: StoredEvent | None
    registration: StoredRegistration | None
    user_exists: bool


def read(event_id: str, user_id: str, *, with_user: bool) -> Snapshot:
    """BatchGetItem (strongly consistent) of the event, the registration and optionally the user."""
    request: dict[str, Any] = {
        events.table(): {"Keys": [events.event_key(event_id)], "ConsistentRead": True},
        registrations.table(): {
            "Keys": [registrations.registration_key(event_id, user_id)],
            "ConsistentRead": True,
        },
    }
    if with_user:
        request[users.table()] = {
            "Keys": [users.user_key(user_id)],
            "ConsistentRead": True,
            "ProjectionExpression": "userId",
        }
    found = _batch_get(request)
    event_items = found.get(events.table(), [])
    registration_items = found.get(registrations.table(), [])
    return Snapshot(
        event=events.from_item(event_items[0]) if event_items else None,
        registration=registrations.from_item(registration_items[0]) if registration_items else None,
        user_exists=bool(found.get(users.table())),
    )


@dataclass(frozen=True, slots=True)
class RequestState:
    """Where a queued registration request stands: still queued, refused (with why), or placed
    (the registration row carries its queue key)."""

    event: StoredEvent | None
    registration: StoredRegistration | None
    request: QueuedRequest | None  # the queue item, or once refused its outcome item

    @property
    def queued(self) -> bool:
        return self.request is not None and self.request.outcome is None

    @property
    def outcome(self) -> str | None:
        return self.request.outcome if self.request else None


def request_state(event_id: str, user_id: str, queue_key: str) -> RequestState:
    """BatchGetItem (strongly consistent) of the event, the person's registration, the queue
    item and its outcome item."""
    request: dict[str, Any] = {
        events.table(): {"Keys": [events.event_key(event_id)], "ConsistentRead": True},
        registrations.table(): {
            "Keys": [
                registrations.registration_key(event_id, user_id),
                admission.item_key(event_id, queue_key),
                admission.outcome_key(event_id, queue_key),
            ],
            "ConsistentRead": True,
        },
    }
    found = _batch_get(request)
    event_items = found.get(events.table(), [])
    registration = None
    queued: QueuedRequest | None = None
    for item in found.get(registrations.table(), []):
        if is_queue_partition(item["eventId"]["S"]):
            queued = admission.from_item(event_id, item)
        else:
            registration = registrations.from_item(item)
    return RequestState(
        event=events.from_item(event_items[0]) if event_items else None,
        registration=registration,
        request=queued,
    )


def _batch_get(request: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for _ in unprocessed_rounds():
        response = dynamodb().batch_get_item(RequestItems=request)
        for name, items in response.get("Responses", {}).items():
            found.setdefault(name, []).extend(items)
        request = response.get("UnprocessedKeys") or {}
        if not request:
            break
    return found


def events_and_registrations(
    pairs: list[tuple[str, str]],
) -> tuple[dict[str, StoredEvent], dict[str, StoredRegistration]]:
    """Live events and current registrations (by event id) for (event, user) pairs of one user.

    BatchGetItem, 100 keys a call, registrations read strongly consistent.
    """
    found_events: dict[str, StoredEvent] = {}
    found_registrations: dict[str, StoredRegistration] = {}
    for start in range(0, len(pairs), 50):
        chunk = pairs[start : start + 50]
        request: dict[str, Any] = {
            events.table(): {"Keys": [events.event_key(e) for e, _ in chunk]},
            registrations.table(): {
                "Keys": [registrations.registration_key(e, u) for e, u in chunk],
                "ConsistentRead": True,
            },
        }
        for _ in unprocessed_rounds():
            response = dynamodb().batch_get_item(RequestItems=request)
            answered = response.get("Responses", {})
            for item in answered.get(events.table(), []):
                if stored_event := events.from_item(item):
                    found_events[stored_event.event.eventId] = stored_event
            for item in answered.get(registrations.table(), []):
                stored = registrations.from_item(item)
                found_registrations[stored.event_id] = stored
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
    return found_events, found_registrations
