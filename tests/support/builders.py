"""Given-steps for the domain tests: events, users and registrations with unique ids."""

from __future__ import annotations

from typing import Any

from event_core import admission, events, registration, users
from event_core.clock import now_iso
from event_core.models.events import EventCreate
from event_core.models.registrations import Registration
from event_core.models.users import UserCreate
from event_core.store import admission as queue
from tests.support.bodies import event_body, unique


def an_event(
    *,
    capacity: int = 10,
    waitlist: bool = True,
    status: str = "active",
    date: str = "2031-05-01",  # ahead: registration closes at the start
    **fields: Any,
) -> str:
    """Create an event and return its id."""
    body = event_body(capacity=capacity, waitlistEnabled=waitlist, status=status, date=date, **fields)
    return events.create_event(EventCreate.model_validate(body)).eventId


def a_user(name: str = "Test User") -> str:
    return users.create_user(UserCreate(userId=unique("user"), name=name)).userId


def some_users(count: int) -> list[str]:
    return [a_user(f"User {i}") for i in range(count)]


def placed(event_id: str, user_id: str) -> Registration:
    """Register one person, alone: nobody else is registering, so the answer is their place."""
    answer = registration.register(event_id, user_id)
    assert isinstance(answer, Registration), answer
    return answer


def register_all(event_id: str, user_ids: list[str]) -> list[Registration]:
    return [placed(event_id, user_id) for user_id in user_ids]


def a_crowd_registered(event_id: str, user_ids: list[str]) -> None:
    """Register many people as a rush does, in this order: queued, then admitted by the event's
    writer a batch per transaction (a few writes a person instead of a registration's round).
    The writer is this process, or a local server's admission function woken by the queue's
    stream when one runs on the same database: either admits the queue in its order."""
    for user_id in user_ids:
        queue.enqueue(event_id, user_id, now_iso())
    admission.keep_admitting(event_id, seconds=600)
    assert not queue.head(event_id, 1)[0], "the queue was not admitted"
