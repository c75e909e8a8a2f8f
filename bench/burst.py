"""Section 5: a burst of concurrent registrations through the local API, then the invariants.

The local server (`local_api.serve_in_background`: SAM CLI's API Gateway emulation in front of
warm worker processes, one invocation at a time each) runs the template's functions against
DynamoDB Local. Its register workers are started first, so the burst measures warm workers.
Then `requests` threads released together each POST one registration for a different user
to one event (capacity 50, waitlist on), and the outcome is checked against the tables and
against the API's own listing.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests

from bench import seed
from bench.report import ms
from bench.stats import median, percentile
from event_core.store.codec import decode, key
from local_api import free_port, serve_in_background

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

EVENT = "bench-burst"
WARM_EVENT = "bench-burst-warm"
CAPACITY = 50


@dataclass
class Answer:
    status: int
    seconds: float
    body: dict[str, Any]


@dataclass
class Outcome:
    requests: int
    workers: int
    elapsed_s: float
    answers: list[Answer]
    invariants: dict[str, bool] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.requests / self.elapsed_s

    def latencies(self) -> list[float]:
        return [a.seconds for a in self.answers]

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for answer in self.answers:
            counts[answer.status] = counts.get(answer.status, 0) + 1
        return dict(sorted(counts.items()))


def _post(url: str, user: str, start: threading.Event, answers: list[Answer]) -> None:
    start.wait()
    began = time.perf_counter()
    response = requests.post(url, json={"userId": user}, timeout=120)
    seconds = time.perf_counter() - began
    try:
        body = response.json()
    except ValueError:
        body = {"raw": response.text}
    answers.append(Answer(response.status_code, seconds, body))


def concurrently(url: str, users: list[str]) -> tuple[float, list[Answer]]:
    """POST a registration per user, all threads released at once; (elapsed seconds, answers)."""
    start = threading.Event()
    answers: list[Answer] = []
    threads = [threading.Thread(target=_post, args=(url, user, start, answers)) for user in users]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    start.set()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, answers


def partition_items(client: DynamoDBClient, event: str) -> list[dict[str, Any]]:
    """Every item of one partition of the registrations table (an event's rows, or its queue)."""
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {
        "TableName": "RegistrationsTable",
        "KeyConditionExpression": "eventId = :e",
        "ExpressionAttributeValues": {":e": {"S": event}},
        "ConsistentRead": True,
    }
    while True:
        page = client.query(**request)
        items.extend(decode(i) for i in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def check(outcome: Outcome, client: DynamoDBClient, base_url: str) -> None:
    stored = client.get_item(TableName="EventsTable", Key=key(eventId=EVENT), ConsistentRead=True)
    event = decode(stored["Item"])
    rows = partition_items(client, EVENT)
    registered = [r for r in rows if r["status"] == "registered"]
    waiting = sorted((r for r in rows if r["status"] == "waitlisted"), key=lambda r: r["waitlistSeq"])
    created = [a for a in outcome.answers if a.status == 201]
    handed_out = sorted(a.body["waitlistPosition"] for a in created if a.body.get("status") == "waitlisted")
    listing = requests.get(
        f"{base_url}/events/{EVENT}/registrations", params={"limit": "1000"}, timeout=60
    ).json()
    listed = [r["waitlistPosition"] for r in listing["waitlisted"]]
    outcome.facts = {
        "registeredCount": event["registeredCount"],
        "registered rows": len(registered),
        "waitlistCount": event["waitlistCount"],
        "waitlisted rows": len(waiting),
    }
    outcome.invariants = {
        "registeredCount == registered rows <= capacity": (
            event["registeredCount"] == len(registered) <= event["capacity"]
        ),
        "waitlistCount == waitlisted rows": event["waitlistCount"] == len(waiting),
        "every 201 is a row, every row a 201": len(created) == len(rows),
        "nobody waits while a spot is free": not waiting or len(registered) == event["capacity"],
        "waitlist tickets distinct": len({r["waitlistSeq"] for r in waiting}) == len(waiting),
        "positions answered are 1..W, once each": handed_out == list(range(1, len(waiting) + 1)),
        "positions listed are 1..W, in order": listed == list(range(1, len(waiting) + 1)),
    }


def run(client: DynamoDBClient, endpoint: str, *, requests_count: int, workers: int) -> Outcome:
    seed.put_items(client, "EventsTable", [seed.event_item(EVENT, capacity=CAPACITY, waitlist=True)])
    seed.put_items(client, "EventsTable", [seed.event_item(WARM_EVENT, capacity=100_000)])
    users = [f"bench-burst-u{i}" for i in range(requests_count)]
    warm_users = [f"bench-burst-w{i}" for i in range(2 * workers)]
    seed.put_items(client, "UsersTable", [seed.user_item(u) for u in users + warm_users])
    with serve_in_background(free_port(), endpoint, max_workers=workers) as server:
        # Start every register worker (and the listing's) before the burst.
        concurrently(f"{server.url}/events/{WARM_EVENT}/registrations", warm_users[:workers])
        concurrently(f"{server.url}/events/{WARM_EVENT}/registrations", warm_users[workers:])
        requests.get(f"{server.url}/events/{EVENT}/registrations", timeout=60)
        elapsed, answers = concurrently(f"{server.url}/events/{EVENT}/registrations", users)
        outcome = Outcome(requests_count, workers, elapsed, answers)
        check(outcome, client, server.url)
    return outcome


def summary(outcome: Outcome) -> list[list[object]]:
    latencies = outcome.latencies()
    statuses = ", ".join(f"{status}: {count}" for status, count in outcome.statuses().items())
    rows: list[list[object]] = [
        ["requests (one event, capacity 50, waitlist on)", outcome.requests],
        ["warm workers for the function", outcome.workers],
        ["answers", statuses],
        ["elapsed", f"{outcome.elapsed_s:.2f} s"],
        ["throughput", f"{outcome.throughput:.0f} registrations/s"],
        [
            "latency p50 / p99 / max",
            f"{ms(median(latencies))} / {ms(percentile(latencies, 99))} / {ms(max(latencies))} ms",
        ],
    ]
    rows.extend([name, value] for name, value in outcome.facts.items())
    rows.extend([name, "ok" if ok else "VIOLATED"] for name, ok in outcome.invariants.items())
    return rows
