"""Given-steps through an API driver: events and users that every test owns."""

from __future__ import annotations

from functools import partial
from typing import Any

from tests.support.bodies import event_body, unique
from tests.support.parallel import run_concurrently

from .drivers import Api


def create_event(api: Api, **overrides: Any) -> str:
    reply = api.create_event(event_body(**overrides))
    assert reply.status == 201, reply
    return reply.body["eventId"]


def create_users(api: Api, count: int, prefix: str = "user") -> list[str]:
    """`count` new users, created concurrently; returned in a fixed order."""
    user_ids = [unique(prefix) for _ in range(count)]
    replies = run_concurrently([partial(api.create_user, u) for u in user_ids], workers=4)
    assert all(r.status == 201 for r in replies), [r for r in replies if r.status != 201]
    return user_ids
