"""Section 4: does the cost of a page grow with the data stored?

Two sets of tables (the template's, under other names) hold 100 and 10,000 items:
- Events: that many events, half of them active, on the first of each month of 2027 by seven
  organizers, plus (in both sets) one organizer's UPCOMING events in April, so that the
  upcoming listings' first pages are full in both;
- Registrations: one event with that many registrations (half confirmed, half waiting),
  plus one user's 100 registrations (90 confirmed, 10 waiting) spread over other events.
Items are written with BatchWriteItem in the store's own shapes (`bench.seed`). The same
first-page requests then run through the handlers against both, alternating call by call, with
round trips and items read counted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bench import handlers, seed
from bench.handlers import RoundTrips
from bench.paths import TEMPLATE
from bench.report import ms, x
from bench.stats import median, percentile
from event_core.models.events import EventStatus
from local_api.tables import table_requests

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SIZES = (100, 10_000)
USER_REGISTRATIONS = 100
USER_WAITING = 10
STATUSES: tuple[EventStatus, ...] = ("active", "cancelled", "active", "completed")
BIG_EVENT = "scale-big-event"
USER = "scale-user"
UPCOMING = 30
UPCOMING_ORGANIZER = "Bench Upcoming"
SPRING = {"from": "2027-03-01", "to": "2027-06-01"}  # what the upcoming listings ask for


@dataclass
class Scenario:
    label: str
    event: handlers.Event
    function: str
    seconds: dict[int, list[float]] = field(default_factory=dict)
    round_trips: dict[int, RoundTrips] = field(default_factory=dict)
    page_size: dict[int, int] = field(default_factory=dict)


def prefix(size: int) -> str:
    return f"Scale{size}-"


def create_tables(client: DynamoDBClient, size: int) -> None:
    existing = set(client.list_tables()["TableNames"])
    for name, request in table_requests(TEMPLATE).items():
        table = prefix(size) + name
        if table not in existing:
            client.create_table(**{**request, "TableName": table})


def _parallel_put(client: DynamoDBClient, table: str, items: list[seed.Item], workers: int = 4) -> None:
    chunks = [items[i : i + 500] for i in range(0, len(items), 500)]
    with ThreadPoolExecutor(workers) as pool:
        for future in [pool.submit(seed.put_items, client, table, chunk) for chunk in chunks]:
            future.result()


def _events(size: int) -> Iterable[seed.Item]:
    for i in range(size):
        status = STATUSES[i % len(STATUSES)]
        date, organizer = f"2027-{i % 12 + 1:02d}-01", f"Bench {i % 7}"
        yield seed.event_item(f"scale-e{i:05d}", capacity=10, status=status, date=date, organizer=organizer)
    for i in range(UPCOMING):
        date = f"2027-04-{i % 28 + 1:02d}T10:00:00+02:00"
        yield seed.event_item(f"scale-up{i:03d}", capacity=10, date=date, organizer=UPCOMING_ORGANIZER)


def populate(client: DynamoDBClient, size: int) -> None:
    """`size` events and `size` registrations for one event, plus one user's 100 registrations."""
    p = prefix(size)
    half = size // 2
    events = list(_events(size))
    events.append(seed.event_item(BIG_EVENT, capacity=half, registered=half, waiting=size - half))
    rows = [seed.registration_item(BIG_EVENT, f"scale-u{i:05d}") for i in range(half)]
    rows += [
        seed.registration_item(BIG_EVENT, f"scale-u{i:05d}", waitlist_seq=i - half + 1)
        for i in range(half, size)
    ]
    # The user: confirmed at 90 events, first in line at 10 more (each full with one other person).
    for i in range(USER_REGISTRATIONS):
        event = f"scale-user-e{i:03d}"
        at = f"2027-01-01T00:00:{i // 10:02d}.{i:06d}Z"
        if i < USER_REGISTRATIONS - USER_WAITING:
            events.append(seed.event_item(event, capacity=10, registered=1))
            rows.append(seed.registration_item(event, USER, at=at))
        else:
            events.append(seed.event_item(event, capacity=1, registered=1, waiting=1))
            rows.append(seed.registration_item(event, "scale-other", at=at))
            rows.append(seed.registration_item(event, USER, waitlist_seq=1, at=at))
    _parallel_put(client, p + "EventsTable", events)
    _parallel_put(client, p + "RegistrationsTable", rows)
    seed.put_items(client, p + "UsersTable", [seed.user_item(USER)])


def scenarios() -> list[Scenario]:
    return [
        Scenario(
            "GET /events?status=active&limit=25",
            handlers.request("list_events", query={"status": "active", "limit": "25"}),
            "list_events",
        ),
        Scenario(
            "GET /events?status=active&from=2027-03-01&to=2027-06-01&limit=25",
            handlers.request("list_events", query={"status": "active", **SPRING, "limit": "25"}),
            "list_events",
        ),
        Scenario(
            f"GET /events?organizer={UPCOMING_ORGANIZER}&from=2027-03-01&to=2027-06-01&limit=25",
            handlers.request("list_events", query={"organizer": UPCOMING_ORGANIZER, **SPRING, "limit": "25"}),
            "list_events",
        ),
        Scenario(
            "GET /events/{id}/registrations?limit=25",
            handlers.request("list_event_registrations", path={"eventId": BIG_EVENT}, query={"limit": "25"}),
            "list_event_registrations",
        ),
        Scenario(
            f"GET /users/{{id}}/registrations?limit=100 ({USER_REGISTRATIONS} registrations)",
            handlers.request("list_user_registrations", path={"userId": USER}, query={"limit": "100"}),
            "list_user_registrations",
        ),
    ]


def _page_size(body: dict[str, Any]) -> int:
    for name in ("events", "registrations"):
        if name in body:
            return len(body[name])
    return len(body.get("registered", [])) + len(body.get("waitlisted", []))


def measure(found: list[Scenario], *, calls: int, warmup: int = 5) -> None:
    """Alternate the sizes call by call, so both see the same conditions (load, JVM, caches)."""
    for scenario in found:
        for size in SIZES:
            seed.use_table_prefix(prefix(size))
            for _ in range(warmup):
                handlers.invoke(scenario.function, scenario.event)
            scenario.round_trips[size] = RoundTrips()
        for _ in range(calls):
            for size in SIZES:
                seed.use_table_prefix(prefix(size))
                with handlers.counting() as trips:
                    seconds, answer = handlers.timed(scenario.function, scenario.event)
                if answer["statusCode"] != 200:
                    raise RuntimeError(f"{scenario.label} ({size} items): {answer}")
                scenario.seconds.setdefault(size, []).append(seconds)
                scenario.round_trips[size] += trips
                scenario.page_size[size] = _page_size(json.loads(answer["body"]))
    seed.use_table_prefix("")


def summary(found: list[Scenario], calls: int) -> list[list[object]]:
    small, large = SIZES
    rows: list[list[object]] = []
    for s in found:
        rows.append(
            [
                s.label,
                s.page_size[large],
                f"{s.round_trips[small].total / calls:g} / {s.round_trips[large].total / calls:g}",
                f"{s.round_trips[small].items_read / calls:g} / {s.round_trips[large].items_read / calls:g}",
                ms(median(s.seconds[small])),
                ms(percentile(s.seconds[small], 99)),
                ms(median(s.seconds[large])),
                ms(percentile(s.seconds[large], 99)),
                x(median(s.seconds[large]) / median(s.seconds[small])),
                s.round_trips[large].describe(calls),
            ]
        )
    return rows
