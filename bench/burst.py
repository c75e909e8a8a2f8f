"""Section 5: a burst of concurrent registrations through the local API, then the invariants.

The local server (`local_api.serve_in_background`: SAM CLI's API Gateway emulation in front of
warm worker processes, one invocation at a time each) runs the template's functions against
DynamoDB Local. Its register workers are started first, so the burst measures warm workers.
Then `requests` threads released together each POST one registration for a different user
to one event (capacity 50, waitlist on); a request answered 202 (still in the event's admission
queue when its wait ran out) polls its Location, as a client would, until it has its answer.
The outcome is checked against the tables and against the API's own listing.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterable
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
SETTLE_SECONDS = 60  # how long a 202's Location is polled for its answer


@dataclass
class Answer:
    status: int  # the POST's
    seconds: float  # POST to its answer
    body: dict[str, Any]  # the final answer: the POST's, or after a 202 its Location's
    final_status: int
    known_s: float  # POST to the final answer
    polls: int = 0

    @property
    def placed(self) -> bool:
        """A place was answered: 201, or 200 at a 202's Location."""
        return self.final_status == (200 if self.status == 202 else 201)


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
        return _counts(a.status for a in self.answers)

    def queued(self) -> list[Answer]:
        return [a for a in self.answers if a.status == 202]


def _counts(statuses: Iterable[int]) -> dict[int, int]:
    return dict(sorted(Counter(statuses).items()))


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {"raw": response.text}
    return body


def _post(base_url: str, path: str, user: str, start: threading.Event, answers: list[Answer]) -> None:
    start.wait()
    began = time.perf_counter()
    response = requests.post(f"{base_url}{path}", json={"userId": user}, timeout=120)
    seconds = time.perf_counter() - began
    status, polls = response.status_code, 0
    deadline = time.monotonic() + SETTLE_SECONDS
    while response.status_code == 202 and time.monotonic() < deadline:
        time.sleep(float(response.headers.get("Retry-After", "1")))
        response = requests.get(f"{base_url}{response.headers['Location']}", timeout=120)
        polls += 1
    known_s = time.perf_counter() - began
    answers.append(Answer(status, seconds, _json(response), response.status_code, known_s, polls))


def concurrently(base_url: str, path: str, users: list[str]) -> tuple[float, list[Answer]]:
    """POST a registration per user, all threads released at once, each until it has its answer;
    (elapsed seconds, answers)."""
    start = threading.Event()
    answers: list[Answer] = []
    threads = [threading.Thread(target=_post, args=(base_url, path, user, start, answers)) for user in users]
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
    created = [a for a in outcome.answers if a.placed]
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
        "every place answered is a row, every row answered": len(created) == len(rows),
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
        concurrently(server.url, f"/events/{WARM_EVENT}/registrations", warm_users[:workers])
        concurrently(server.url, f"/events/{WARM_EVENT}/registrations", warm_users[workers:])
        requests.get(f"{server.url}/events/{EVENT}/registrations", timeout=60)
        elapsed, answers = concurrently(server.url, f"/events/{EVENT}/registrations", users)
        outcome = Outcome(requests_count, workers, elapsed, answers)
        check(outcome, client, server.url)
    return outcome


def summary(outcome: Outcome) -> list[list[object]]:
    queued = outcome.queued()
    at_location = _statuses(_counts(a.final_status for a in queued))
    rows: list[list[object]] = [
        ["requests (one event, capacity 50, waitlist on)", outcome.requests],
        ["warm workers for the function", outcome.workers],
        ["answers", _statuses(outcome.statuses())],
        [
            "202s: answers at their Location (polls)",
            f"{at_location} ({sum(a.polls for a in queued)})" if queued else "none",
        ],
        ["elapsed (until every answer)", f"{outcome.elapsed_s:.2f} s"],
        ["throughput", f"{outcome.throughput:.0f} registrations/s"],
        ["latency of the POST p50 / p99 / max", _spread(outcome.latencies())],
        ["place known (after a 202's polls) p50 / p99 / max", _spread([a.known_s for a in outcome.answers])],
    ]
    rows.extend([name, value] for name, value in outcome.facts.items())
    rows.extend([name, "ok" if ok else "VIOLATED"] for name, ok in outcome.invariants.items())
    return rows


def _statuses(counts: dict[int, int]) -> str:
    return ", ".join(f"{status}: {count}" for status, count in counts.items())


def _spread(seconds: list[float]) -> str:
    return f"{ms(median(seconds))} / {ms(percentile(seconds, 99))} / {ms(max(seconds))} ms"
