"""Section 3 (waitlist): round trips and latency as the waitlist grows from 1 to 1,000.

For each length W an event has 10 confirmed attendees and W people waiting (items written
directly, in the store's shapes). Three requests run a few times each, and the items they
change are put back between runs, so every run sees the same W:

- an attendee unregisters, and the head of the waitlist is promoted in the same transaction;
- a new user registers and joins the end of the waitlist;
- the last person in line lists their registrations, which computes their position (W).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bench import handlers, seed
from bench.handlers import RoundTrips
from bench.stats import median
from event_core.store.codec import key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LENGTHS = (1, 100, 1000)
CONFIRMED = 10


@dataclass
class Case:
    label: str
    seconds: dict[int, list[float]] = field(default_factory=dict)
    round_trips: dict[int, list[RoundTrips]] = field(default_factory=dict)

    def trips(self, length: int) -> str:
        """Round trips per run; `a-b` if runs differed."""
        totals = sorted({t.total for t in self.round_trips[length]})
        return str(totals[0]) if len(totals) == 1 else f"{totals[0]}-{totals[-1]}"

    def items(self, length: int) -> str:
        """Items read per run (the median)."""
        return f"{median([t.items_read for t in self.round_trips[length]]):g}"

    def median_s(self, length: int) -> float:
        return median(self.seconds[length])


def _ids(length: int) -> tuple[str, list[str], list[str]]:
    event = f"bench-wl{length}"
    confirmed = [f"{event}-r{i}" for i in range(CONFIRMED)]
    waiting = [f"{event}-w{seq}" for seq in range(1, length + 1)]
    return event, confirmed, waiting


def _seed(client: DynamoDBClient, length: int) -> dict[str, seed.Item]:
    """Write the event, its registrations and users; return the items the runs change."""
    event, confirmed, waiting = _ids(length)
    event_item = seed.event_item(event, capacity=CONFIRMED, registered=CONFIRMED, waiting=length)
    rows = [seed.registration_item(event, user) for user in confirmed]
    rows += [seed.registration_item(event, user, waitlist_seq=seq) for seq, user in enumerate(waiting, 1)]
    seed.put_items(client, "EventsTable", [event_item])
    seed.put_items(client, "RegistrationsTable", rows)
    seed.put_items(client, "UsersTable", [seed.user_item(u) for u in (waiting[-1], f"{event}-new")])
    return {"event": event_item, "leaver": rows[0], "head": rows[CONFIRMED]}


def _run(
    case: Case,
    length: int,
    name: str,
    event: handlers.Event,
    expect: int,
    verify: Callable[[Any], bool] = lambda body: True,
) -> None:
    with handlers.counting() as trips:
        seconds, answer = handlers.timed(name, event)
    if answer["statusCode"] != expect or not verify(json.loads(answer["body"])):
        raise RuntimeError(f"{case.label} (W={length}): unexpected answer {answer}")
    case.seconds.setdefault(length, []).append(seconds)
    case.round_trips.setdefault(length, []).append(trips)


def _measure_length(client: DynamoDBClient, cases: tuple[Case, Case, Case], length: int, runs: int) -> None:
    leave, join, position = cases
    event, confirmed, waiting = _ids(length)
    changed = _seed(client, length)
    newcomer = f"{event}-new"
    unregister = handlers.request("unregister", path={"eventId": event, "userId": confirmed[0]})
    register = handlers.request("register", path={"eventId": event}, body={"userId": newcomer})
    listing = handlers.request("list_user_registrations", path={"userId": waiting[-1]}, query={})
    handlers.invoke("list_user_registrations", listing)  # warm
    for _ in range(runs):
        _run(leave, length, "unregister", unregister, 200, lambda b: b["promotedUserId"] == waiting[0])
        seed.put_items(client, "EventsTable", [changed["event"]])
        seed.put_items(client, "RegistrationsTable", [changed["leaver"], changed["head"]])

        _run(join, length, "register", register, 201, lambda b: b["waitlistPosition"] == length + 1)
        seed.put_items(client, "EventsTable", [changed["event"]])
        client.delete_item(TableName="RegistrationsTable", Key=key(eventId=event, userId=newcomer))

        def last_in_line(body: Any) -> bool:
            return [r["waitlistPosition"] for r in body["registrations"]] == [length]

        _run(position, length, "list_user_registrations", listing, 200, last_in_line)


def measure(client: DynamoDBClient, runs: int = 5) -> list[Case]:
    cases = (
        Case("unregister, head of the waitlist promoted"),
        Case("register, joining the end of the waitlist"),
        Case("GET /users/{id}/registrations of the last in line"),
    )
    for length in LENGTHS:
        _measure_length(client, cases, length, runs)
    return list(cases)
