"""Sections 2 and 3 (main routes): warm latency through the handler, and DynamoDB round trips.

Every route's handler is called in this process (a warm sandbox), a few times untimed, then
`calls` times timed, against DynamoDB Local. Each call gets its own request, so routes that
create, register or delete never hit a conflict. The same requests then run with DynamoDB
stubbed: the responses of one real call are replayed (`handlers.Replay`), so what remains is the
handler's own work (Powertools routing and validation, pydantic, the domain, botocore's
serialization, signing and parsing), the part of a Lambda's billed duration that is not waiting
for DynamoDB. Round trips are counted over the timed calls.

Every timed call, real or stubbed, must take the path of the recorded call (the same DynamoDB
operations in the same order), and a route whose label names one path (`Route.path`) must take
that one: a route that leaves its path fails the benchmark instead of measuring another.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bench import handlers, seed
from bench.handlers import Event, RoundTrips
from bench.report import ms
from bench.stats import median, percentile
from local_api.samples import load_sample

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@dataclass
class Route:
    function: str
    label: str
    event: Callable[[int], Event]
    expect: int = 200
    prepare: Callable[[DynamoDBClient, int], None] = lambda client, count: None
    path: tuple[str, ...] | None = None  # the DynamoDB operations of the path the label names


@dataclass
class Result:
    route: Route
    real: list[float] = field(default_factory=list)
    stubbed: list[float] = field(default_factory=list)
    round_trips: RoundTrips = field(default_factory=RoundTrips)
    calls: int = 0


# The samples' events on 10 March 2027 (UTC) by their organizer (events/seed/sample-data.json).
UPCOMING_QUERY = {"from": "2027-03-10", "to": "2027-03-11", "organizer": "Python User Group", "limit": "25"}


def _same(name: str) -> Callable[[int], Event]:
    event = load_sample(name)
    return lambda i: event


def _register_event(client: DynamoDBClient, count: int) -> None:
    seed.put_items(client, "EventsTable", [seed.event_item("bench-warm-register", capacity=100_000)])
    seed.put_items(client, "UsersTable", [seed.user_item(f"bench-warm-u{i}") for i in range(count)])


def _unregister_event(client: DynamoDBClient, count: int) -> None:
    event = "bench-warm-unregister"
    seed.put_items(client, "EventsTable", [seed.event_item(event, capacity=100_000, registered=count)])
    seed.put_items(
        client,
        "RegistrationsTable",
        [seed.registration_item(event, f"bench-warm-u{i}") for i in range(count)],
    )


def _check_in_event(client: DynamoDBClient, count: int) -> None:
    """An event starting now (check-in is open a day either side) with `count` attendees."""
    event = "bench-warm-check-in"
    today = datetime.now(UTC).date().isoformat()
    seed.put_items(
        client, "EventsTable", [seed.event_item(event, capacity=100_000, registered=count, date=today)]
    )
    seed.put_items(
        client,
        "RegistrationsTable",
        [seed.registration_item(event, f"bench-warm-u{i}") for i in range(count)],
    )


def _offers_event(event: str) -> Callable[[DynamoDBClient, int], None]:
    """`count` people each holding an offer of a spot at the event (offer mode), nobody waiting."""

    def prepare(client: DynamoDBClient, count: int) -> None:
        seed.put_items(client, "EventsTable", [seed.event_item(event, capacity=100_000, offered=count)])
        seed.put_items(
            client, "RegistrationsTable", [seed.offer_item(event, f"bench-warm-u{i}") for i in range(count)]
        )

    return prepare


def _answer(name: str, event: str) -> Callable[[int], Event]:
    return lambda i: handlers.request(name, path={"eventId": event, "userId": f"bench-warm-u{i}"}, body={})


def _events_to_delete(client: DynamoDBClient, count: int) -> None:
    seed.put_items(
        client, "EventsTable", [seed.event_item(f"bench-warm-del{i}", capacity=10) for i in range(count)]
    )


def routes() -> list[Route]:
    create_body = json.loads(load_sample("create_event")["body"])
    return [
        Route("health", "GET /health", _same("health")),
        Route("api_info", "GET /", _same("api_info")),
        Route("get_event", "GET /events/{eventId}", _same("get_event")),
        Route("list_events", "GET /events?status=active&limit=25", _same("list_events")),
        Route(
            "list_events",
            "GET /events?from=&to=&organizer= (one organizer's events of one UTC day)",
            lambda i: handlers.request("list_events", query=UPCOMING_QUERY),
            # each status's read of the organizer index, within the range
            path=("Query", "Query", "Query", "Query"),
        ),
        Route("get_user", "GET /users/{userId}", _same("get_user")),
        Route(
            "list_event_registrations",
            "GET /events/{eventId}/registrations",
            _same("list_event_registrations"),
        ),
        Route(
            "list_user_registrations", "GET /users/{userId}/registrations", _same("list_user_registrations")
        ),
        Route(
            "create_user",
            "POST /users",
            lambda i: handlers.request("create_user", body={"userId": f"bench-warm-new{i}", "name": "Bench"}),
            expect=201,
        ),
        Route(
            "create_event",
            "POST /events",
            lambda i: handlers.request("create_event", body={**create_body, "eventId": f"bench-warm-new{i}"}),
            expect=201,
        ),
        Route(
            "register",
            "POST /events/{eventId}/registrations (nobody queued: admitted directly)",
            lambda i: handlers.request(
                "register", path={"eventId": "bench-warm-register"}, body={"userId": f"bench-warm-u{i}"}
            ),
            expect=201,
            prepare=_register_event,
            # snapshot, the lease, the queue's head (empty), as the writer: the event and the
            # person's row, one transaction that also gives the lease back
            path=("BatchGetItem", "UpdateItem", "Query", "GetItem", "BatchGetItem", "TransactWriteItems"),
        ),
        Route(
            "unregister",
            "DELETE /events/{eventId}/registrations/{userId} (nobody waiting)",
            lambda i: handlers.request(
                "unregister", path={"eventId": "bench-warm-unregister", "userId": f"bench-warm-u{i}"}
            ),
            prepare=_unregister_event,
            # the lease, snapshot, one transaction releasing the spot, the lease back
            path=("UpdateItem", "BatchGetItem", "TransactWriteItems", "UpdateItem"),
        ),
        Route(
            "check_in",
            "PUT /events/{eventId}/registrations/{userId}/check-in (first check-in)",
            lambda i: handlers.request(
                "check_in", path={"eventId": "bench-warm-check-in", "userId": f"bench-warm-u{i}"}
            ),
            prepare=_check_in_event,
            # the event with the registration, one transaction: checkedInAt and the count
            path=("BatchGetItem", "TransactWriteItems"),
        ),
        Route(
            "accept_offer",
            "POST /events/{eventId}/registrations/{userId}/accept",
            _answer("accept_offer", "bench-warm-accept"),
            prepare=_offers_event("bench-warm-accept"),
            # the lease, snapshot, one transaction taking the spot, the lease back
            path=("UpdateItem", "BatchGetItem", "TransactWriteItems", "UpdateItem"),
        ),
        Route(
            "decline_offer",
            "POST /events/{eventId}/registrations/{userId}/decline (nobody waiting)",
            _answer("decline_offer", "bench-warm-decline"),
            prepare=_offers_event("bench-warm-decline"),
            # the lease, snapshot, one transaction ending the offer, the lease back
            path=("UpdateItem", "BatchGetItem", "TransactWriteItems", "UpdateItem"),
        ),
        Route(
            "update_event",
            "PUT /events/{eventId}",
            lambda i: handlers.request("update_event", body={"title": f"Python Meetup #{i}", "capacity": 60}),
        ),
        Route(
            "set_waitlist",
            "PUT /events/{eventId}/waitlist",
            lambda i: handlers.request("set_waitlist", body={"waitlistEnabled": i % 2 == 1}),
        ),
        Route(
            "transfer_event",
            "PUT /events/{eventId}/owner",
            lambda i: handlers.request("transfer_event", body={"ownerId": f"bench-warm-owner{i % 2}"}),
        ),
        Route(
            "delete_event",
            "DELETE /events/{eventId} (no registrations)",
            lambda i: handlers.request("delete_event", path={"eventId": f"bench-warm-del{i}"}),
            prepare=_events_to_delete,
            # the tombstone, the purge's two queries (registrations, admission queue), its removal
            path=("UpdateItem", "Query", "Query", "DeleteItem"),
        ),
    ]


def check(route: Route, answer: dict[str, Any]) -> None:
    if answer.get("statusCode") != route.expect:
        raise RuntimeError(
            f"{route.label}: expected {route.expect}, got {answer.get('statusCode')}: {answer}"
        )


def check_path(route: Route, sent: list[str], expected: Sequence[str] | None) -> None:
    """The call sent the operations of the path it measures."""
    if expected is not None and tuple(sent) != tuple(expected):
        raise RuntimeError(
            f"{route.label}: left the path it measures: {', '.join(sent) or 'no request'} sent, "
            f"expected {', '.join(expected) or 'no request'}"
        )


def measure(route: Route, client: DynamoDBClient, *, calls: int, warmup: int = 5) -> Result:
    result = Result(route, calls=calls)
    total = warmup + calls
    route.prepare(client, total)
    requests = [route.event(i) for i in range(total)]
    for event in requests[:warmup]:
        check(route, handlers.invoke(route.function, event))
    with handlers.recording() as recorded, handlers.counting() as trips:
        seconds, answer = handlers.timed(route.function, requests[warmup])
    check(route, answer)
    check_path(route, trips.sent, route.path)
    path = list(trips.sent)  # every other call, real or stubbed, takes the recorded call's path
    result.real.append(seconds)
    result.round_trips = trips
    for event in requests[warmup + 1 :]:
        with handlers.counting() as trips:
            seconds, answer = handlers.timed(route.function, event)
        check(route, answer)
        check_path(route, trips.sent, path)
        result.real.append(seconds)
        result.round_trips += trips
    with handlers.replaying(recorded) as replay:
        for i, event in enumerate(requests):
            try:
                with replay.call():
                    seconds, answer = handlers.timed(route.function, event)
            except handlers.ReplayDiverged as error:
                raise RuntimeError(
                    f"{route.label}, DynamoDB stubbed: left the path it measures: {error}"
                ) from None
            check(route, answer)
            if i >= warmup:
                result.stubbed.append(seconds)
    return result


def summary(results: list[Result]) -> list[list[object]]:
    return [
        [
            r.route.label,
            ms(median(r.real)),
            ms(percentile(r.real, 99)),
            ms(median(r.stubbed)),
            ms(percentile(r.stubbed, 99)),
        ]
        for r in results
    ]
