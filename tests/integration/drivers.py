"""Two ways to drive the API in a test: over HTTP, or by calling event_core in this process.

Both answer a `Reply(status, body, headers)` shaped like the HTTP response, so a scenario is
written once and run both against DynamoDB Local directly and through the local API server. The
in-process driver maps domain errors the way the HTTP edge documents it (404/409/400/503,
`{"detail": ...}`) and turns any other exception into a 500, so "no 5xx" means the same thing for
both; only HTTP replies have headers.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests

from event_core import admission, attendance, errors, events, registration, users
from event_core.edge.http import status_of
from event_core.models.events import EventCreate
from event_core.models.users import UserCreate
from event_core.settings import get_settings
from event_core.store.client import dynamodb
from tests.support.parallel import run_concurrently

TIMEOUT_SECONDS = 120
SETTLE_SECONDS = 60  # how long a queued registration may take to be answered, in any test
BUSY_ROUNDS = 5  # how often a client sends a request again that was answered 503 (busy)


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)  # over HTTP (case-insensitive)

    @property
    def detail(self) -> Any:
        return self.body.get("detail") if isinstance(self.body, dict) else None


class Api(Protocol):
    name: str

    def create_user(self, user_id: str, name: str = ...) -> Reply: ...
    def create_event(self, body: dict[str, Any]) -> Reply: ...
    def get_event(self, event_id: str) -> Reply: ...
    def update_event(self, event_id: str, changes: dict[str, Any]) -> Reply: ...
    def delete_event(self, event_id: str) -> Reply: ...
    def register(self, event_id: str, user_id: str) -> Reply: ...
    def registration(self, event_id: str, user_id: str, request_id: str | None = ...) -> Reply: ...
    def unregister(self, event_id: str, user_id: str) -> Reply: ...
    def event_registrations(self, event_id: str, *, limit: int = ..., token: str | None = ...) -> Reply: ...
    def user_registrations(self, user_id: str, *, limit: int = ..., token: str | None = ...) -> Reply: ...


class HttpApi:
    """The local API server; one keep-alive session per thread (Session is not thread-safe)."""

    name = "http"

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def call(self, method: str, path: str, **kwargs: Any) -> Reply:
        response = self._session().request(
            method, f"{self.base_url}{path}", timeout=TIMEOUT_SECONDS, **kwargs
        )
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return Reply(response.status_code, body, response.headers)

    def create_user(self, user_id: str, name: str = "Test User") -> Reply:
        return self.call("POST", "/users", json={"userId": user_id, "name": name})

    def create_event(self, body: dict[str, Any]) -> Reply:
        return self.call("POST", "/events", json=body)

    def get_event(self, event_id: str) -> Reply:
        return self.call("GET", f"/events/{event_id}")

    def update_event(self, event_id: str, changes: dict[str, Any]) -> Reply:
        return self.call("PUT", f"/events/{event_id}", json=changes)

    def delete_event(self, event_id: str) -> Reply:
        return self.call("DELETE", f"/events/{event_id}")

    def register(self, event_id: str, user_id: str) -> Reply:
        return self.call("POST", f"/events/{event_id}/registrations", json={"userId": user_id})

    def registration(self, event_id: str, user_id: str, request_id: str | None = None) -> Reply:
        """GET the registration; with `request_id`, the answer to that queued request (a 202's
        Location). The local server's admission function admits the queue meanwhile."""
        params = {"request": request_id} if request_id else {}
        return self.call("GET", f"/events/{event_id}/registrations/{user_id}", params=params)

    def unregister(self, event_id: str, user_id: str) -> Reply:
        return self.call("DELETE", f"/events/{event_id}/registrations/{user_id}")

    def event_registrations(self, event_id: str, *, limit: int = 100, token: str | None = None) -> Reply:
        params: dict[str, Any] = {"limit": limit, **({"nextToken": token} if token else {})}
        return self.call("GET", f"/events/{event_id}/registrations", params=params)

    def user_registrations(self, user_id: str, *, limit: int = 100, token: str | None = None) -> Reply:
        params: dict[str, Any] = {"limit": limit, **({"nextToken": token} if token else {})}
        return self.call("GET", f"/users/{user_id}/registrations", params=params)


def _json(model: Any) -> Any:
    return model.model_dump(mode="json")


class InProcessApi:
    """event_core called directly, against the tables the process environment points at."""

    name = "in-process"

    @staticmethod
    def call(status: int, action: Callable[[], Any]) -> Reply:
        try:
            result = action()
        except errors.DomainError as error:
            return Reply(int(status_of(error)), {"detail": error.detail})
        except Exception as error:  # the test must see it as a server error, not crash the pool
            return Reply(500, {"detail": f"{type(error).__name__}: {error}"})
        return Reply(status, result)

    def create_user(self, user_id: str, name: str = "Test User") -> Reply:
        return self.call(201, lambda: _json(users.create_user(UserCreate(userId=user_id, name=name))))

    def create_event(self, body: dict[str, Any]) -> Reply:
        return self.call(201, lambda: _json(events.create_event(EventCreate.model_validate(body))))

    def get_event(self, event_id: str) -> Reply:
        return self.call(200, lambda: _json(events.get_event(event_id).event))

    def update_event(self, event_id: str, changes: dict[str, Any]) -> Reply:
        return self.call(200, lambda: _json(events.update_event(event_id, changes).event))

    def delete_event(self, event_id: str) -> Reply:
        return self.call(200, lambda: _json(events.delete_event(event_id)))

    def register(self, event_id: str, user_id: str) -> Reply:
        return self._placement(lambda: registration.register(event_id, user_id), placed=201)

    def registration(self, event_id: str, user_id: str, request_id: str | None = None) -> Reply:
        """As over HTTP; in this process nothing else admits the queue, so this first does what
        the queue's stream function (functions/admission) does on AWS and locally."""
        admission.keep_admitting(event_id, seconds=SETTLE_SECONDS)
        return self._placement(
            lambda: registration.registration_status(event_id, user_id, request_id), placed=200
        )

    def _placement(self, action: Callable[[], Any], *, placed: int) -> Reply:
        reply = self.call(placed, lambda: _json(action()))
        return Reply(202, reply.body) if reply.body.get("status") == "pending" else reply

    def unregister(self, event_id: str, user_id: str) -> Reply:
        return self.call(200, lambda: _json(registration.unregister(event_id, user_id)))

    def event_registrations(self, event_id: str, *, limit: int = 100, token: str | None = None) -> Reply:
        return self.call(
            200, lambda: _json(attendance.event_registrations(event_id, limit=limit, next_token=token))
        )

    def user_registrations(self, user_id: str, *, limit: int = 100, token: str | None = None) -> Reply:
        return self.call(
            200, lambda: _json(attendance.user_registrations(user_id, limit=limit, next_token=token))
        )


@contextmanager
def on_endpoint(url: str) -> Iterator[None]:
    """event_core in this process on another DynamoDB endpoint for a while (its settings and client
    are cached); `local_env` must be in use. The client for the endpoint before is made again on
    the way out, before threads ask for it: many threads making it at once cost seconds."""
    previous = os.environ["DYNAMODB_ENDPOINT"]
    try:
        os.environ["DYNAMODB_ENDPOINT"] = url
        get_settings.cache_clear()
        dynamodb.cache_clear()
        yield
    finally:
        os.environ["DYNAMODB_ENDPOINT"] = previous
        get_settings.cache_clear()
        dynamodb.cache_clear()
        dynamodb()


def answered(api: Api, calls: Sequence[Callable[[], Reply]]) -> list[Reply]:
    """All calls at once, and each one's answer as a client that follows the contract ends up
    with it: a 202 (queued registration) is polled at its Location until answered; a 503 (busy
    after retries, nothing written: a valid answer under contention) must carry Retry-After over
    HTTP, and is sent again after it, at most BUSY_ROUNDS times."""
    replies = settled(api, run_concurrently(calls))
    for _ in range(BUSY_ROUNDS):
        busy = [index for index, reply in enumerate(replies) if reply.status == 503]
        if not busy:
            break
        waits = [replies[index].headers.get("Retry-After") for index in busy]
        if api.name == "http":
            assert all(waits), f"503 without Retry-After: {[replies[index] for index in busy]}"
        time.sleep(max(int(wait or 1) for wait in waits))
        again = settled(api, run_concurrently([calls[index] for index in busy]))
        for index, reply in zip(busy, again, strict=True):
            replies[index] = reply
    return replies


def settled(api: Api, replies: Sequence[Reply]) -> list[Reply]:
    """Every reply as the client ends up seeing it: a 202 (queued registration) is replaced by the
    answer its Location gives once the writer has answered it, polled as a client would."""
    deadline = time.monotonic() + SETTLE_SECONDS
    final: list[Reply] = []
    for reply in replies:
        while reply.status == 202 and time.monotonic() < deadline:
            body = reply.body
            answer = api.registration(body["eventId"], body["userId"], body["requestId"])
            if answer.status != 202:
                reply = Reply(201, answer.body) if answer.status == 200 else answer
                break
            time.sleep(0.1)
        final.append(reply)
    return final
