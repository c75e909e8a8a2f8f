"""Unique ids and request bodies, so every test owns its data."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from .drivers import Api
from .parallel import run_concurrently


def unique_id(prefix: str) -> str:
    return f"it-{prefix}-{uuid.uuid4().hex[:12]}"


def event_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "eventId": unique_id("event"),
        "title": "Integration test event",
        "description": "Created by tests/integration",
        "date": "2031-06-15",
        "location": "Room 1",
        "capacity": 5,
        "organizer": "QA",
        "waitlistEnabled": False,
    }
    body.update(overrides)
    return body


def create_event(api: Api, **overrides: Any) -> str:
    reply = api.create_event(event_body(**overrides))
    assert reply.status == 201, reply
    return reply.body["eventId"]


def create_users(api: Api, count: int, prefix: str = "user") -> list[str]:
    """`count` new users, created concurrently; returned in a fixed order."""
    user_ids = [unique_id(prefix) for _ in range(count)]
    replies = run_concurrently([partial(api.create_user, u) for u in user_ids], workers=4)
    assert all(r.status == 201 for r in replies), [r for r in replies if r.status != 201]
    return user_ids
