"""`seed` and `reset`: the `events/` samples' data, a larger demo set, and empty tables.

Written straight into DynamoDB (no running API needed: `make dynamodb` and `make invoke` use it
too), through the domain layer (event_core), so counts, waitlist positions and the admission
queue are what the API itself would have written. `sample-data.json` holds request bodies:
users, then events, then registrations, applied in that order.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from local_api.clients import DUMMY_KEY, REGION, dynamodb_client
from local_api.paths import EVENTS_DIR, SEED_FILE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# The samples that create an item: their ids are the samples' too, removed by a restore.
CREATING_SAMPLES = {"events": "create_event.json", "users": "create_user.json"}
DEMO_EVENTS = 12
DEMO_USERS = 60
DEMO_CITIES = ("Berlin", "Lisbon", "Warsaw", "Dublin", "Prague", "Madrid")
DEMO_PEOPLE = ("Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Frances", "Niklaus")
# Registrations per demo event, as a share of its capacity: some half full, some full with a
# waitlist, some full without one.
DEMO_FILL = (0.5, 1.5, 1.0, 0.2)


@dataclass(frozen=True, slots=True)
class Seeded:
    users: int
    events: int
    registrations: int

    def __add__(self, other: Seeded) -> Seeded:
        return Seeded(
            self.users + other.users, self.events + other.events, self.registrations + other.registrations
        )

    def summary(self) -> str:
        return f"{self.users} users, {self.events} events, {self.registrations} registrations"


def use_endpoint(endpoint: str) -> None:
    """Point event_core at `endpoint` (as the local server points the functions), in this process."""
    from event_core.settings import get_settings
    from event_core.store.client import dynamodb

    os.environ.update(
        {
            "DYNAMODB_ENDPOINT": endpoint,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": DUMMY_KEY,
            "AWS_SECRET_ACCESS_KEY": DUMMY_KEY,
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
    )
    get_settings.cache_clear()
    dynamodb.cache_clear()


def sample_data() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = json.loads(SEED_FILE.read_text())
    return data


def sample_ids() -> tuple[set[str], set[str]]:
    """(event ids, user ids) that the samples use: the seeded ones and the ones they create."""
    data = sample_data()
    created = {
        kind: json.loads(json.loads((EVENTS_DIR / name).read_text())["body"])
        for kind, name in CREATING_SAMPLES.items()
    }
    event_ids = {e["eventId"] for e in data["events"]} | {created["events"]["eventId"]}
    user_ids = {u["userId"] for u in data["users"]} | {created["users"]["userId"]}
    return event_ids, user_ids


def restore_samples(client: DynamoDBClient) -> Seeded:
    """Remove whatever the samples' ids hold, then seed `sample-data.json`: the state every
    sample in `events/` expects, however often it runs. event_core must point at the same
    DynamoDB as `client` (`use_endpoint`)."""
    from event_core.ids import queue_partition

    event_ids, user_ids = sample_ids()
    for partition in [*event_ids, *map(queue_partition, event_ids)]:  # rows, admission queues
        _delete_registrations(client, partition)
    for event_id in event_ids:
        client.delete_item(TableName="EventsTable", Key={"eventId": {"S": event_id}})
    for user_id in user_ids:
        client.delete_item(TableName="UsersTable", Key={"userId": {"S": user_id}})
    return seed_samples()


def seed_samples() -> Seeded:
    """Create `sample-data.json`'s users, events and registrations through event_core (on the
    DynamoDB it points at); what exists already is left as it is."""
    data = sample_data()
    return _create(data["users"], data["events"], data["registrations"])


def _delete_registrations(client: DynamoDBClient, partition: str) -> None:
    pages = client.get_paginator("query").paginate(
        TableName="RegistrationsTable",
        KeyConditionExpression="eventId = :e",
        ExpressionAttributeValues={":e": {"S": partition}},
        ConsistentRead=True,
    )
    for page in pages:
        for row in page["Items"]:
            client.delete_item(
                TableName="RegistrationsTable", Key={"eventId": row["eventId"], "userId": row["userId"]}
            )


def demo_data() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, str]]]:
    """(users, events, registrations) of the demo set: request bodies, like sample-data.json."""
    users = [
        {"userId": f"demo-user-{n:02d}", "name": f"{DEMO_PEOPLE[n % len(DEMO_PEOPLE)]} {n:02d}"}
        for n in range(1, DEMO_USERS + 1)
    ]
    events, registrations = [], []
    year = datetime.now(UTC).year + 1
    for n in range(1, DEMO_EVENTS + 1):
        capacity = 5 * (1 + n % 4)
        fill = DEMO_FILL[n % len(DEMO_FILL)]
        event_id = f"demo-evt-{n:02d}"
        status = "postponed" if n % 7 == 0 else "active"  # postponed: closed to registrations
        events.append(
            {
                "eventId": event_id,
                "title": f"Demo meetup {n}",
                "description": "Part of the demo data set (make seed DEMO=1).",
                # next year: registration closes at an event's start, so the demo's must lie ahead
                "date": f"{year}-{1 + (n - 1) % 12:02d}-{10 + n % 15:02d}T18:30:00+01:00",
                "location": DEMO_CITIES[n % len(DEMO_CITIES)],
                "capacity": capacity,
                "organizer": "Demo Organizers",
                "status": status,
                "waitlistEnabled": fill > 1,
            }
        )
        people = min(round(capacity * fill), DEMO_USERS) if status == "active" else 0
        registrations += [
            {"eventId": event_id, "userId": users[(n + k) % DEMO_USERS]["userId"]} for k in range(people)
        ]
    return users, events, registrations


def seed_demo() -> Seeded:
    """Add the demo set; what is already there (a second run) is left as it is."""
    return _create(*demo_data())


def _create(
    users: Iterable[dict[str, Any]], events: Iterable[dict[str, Any]], registrations: Iterable[dict[str, str]]
) -> Seeded:
    from event_core import events as event_cases
    from event_core import registration
    from event_core import users as user_cases
    from event_core.errors import AlreadyRegistered, EventAlreadyExists, UserAlreadyExists
    from event_core.models.events import EventCreate
    from event_core.models.users import UserCreate

    return Seeded(
        _count(
            users, lambda user: user_cases.create_user(UserCreate.model_validate(user)), UserAlreadyExists
        ),
        _count(
            events,
            lambda event: event_cases.create_event(EventCreate.model_validate(event)),
            EventAlreadyExists,
        ),
        _count(
            registrations,
            lambda place: registration.register(place["eventId"], place["userId"]),
            AlreadyRegistered,
        ),
    )


def _count(
    bodies: Iterable[dict[str, Any]], create: Callable[[dict[str, Any]], object], exists: type[Exception]
) -> int:
    """How many of `bodies` `create` added; those already there are left as they are."""
    added = 0
    for body in bodies:
        try:
            create(body)
        except exists:
            continue
        added += 1
    return added


def empty_tables(client: DynamoDBClient, names: Iterable[str]) -> int:
    """Delete every item of the tables (kept, with their streams, which a running server
    follows); return how many items went."""
    deleted = 0
    for name in names:
        keys = [k["AttributeName"] for k in client.describe_table(TableName=name)["Table"]["KeySchema"]]
        for page in client.get_paginator("scan").paginate(
            TableName=name,
            ProjectionExpression=", ".join(f"#k{i}" for i in range(len(keys))),
            ExpressionAttributeNames={f"#k{i}": key for i, key in enumerate(keys)},
        ):
            for item in page["Items"]:
                client.delete_item(TableName=name, Key={key: item[key] for key in keys})
                deleted += 1
    return deleted


def seed(endpoint: str, *, demo: bool = False) -> Seeded:
    """Restore the samples' data on `endpoint` (and add the demo set)."""
    use_endpoint(endpoint)
    seeded = restore_samples(dynamodb_client(endpoint))
    return seeded + seed_demo() if demo else seeded
