"""Data for the benchmark: the events/ samples' seed, and bulk items in the store's own shapes.

The sample seed goes through the domain (local_api.seed, as `make seed` and `tests/handlers` do),
so its items are exactly what the API writes; a snapshot of them restores the tables between
cold starts, since some samples change what they find (register, unregister, create, delete).

Bulk data (thousands of events, long waitlists) is written with BatchWriteItem directly, built
by the same store functions the API uses wherever the store exposes them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.paths import TEMPLATE
from event_core.models.events import Event, EventStatus
from event_core.models.users import User
from event_core.settings import get_settings
from event_core.store import codec
from event_core.store import events as stored_events
from event_core.store import registrations as stored_registrations
from event_core.store.client import dynamodb
from event_core.store.registrations import OFFERED, REGISTERED, WAITLISTED, StoredRegistration
from local_api.tables import table_requests

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

Item = dict[str, Any]
STAMP = "2027-01-01T00:00:00.000000Z"


def use_tables(endpoint: str, prefix: str = "") -> None:
    """Point this process's event_core at DynamoDB Local, on tables named `<prefix><logical id>`."""
    os.environ["DYNAMODB_ENDPOINT"] = endpoint
    dynamodb.cache_clear()
    use_table_prefix(prefix)


def use_table_prefix(prefix: str) -> None:
    """Switch event_core to other tables on the same endpoint, keeping its (warm) client."""
    os.environ.update(
        EVENTS_TABLE=f"{prefix}EventsTable",
        USERS_TABLE=f"{prefix}UsersTable",
        REGISTRATIONS_TABLE=f"{prefix}RegistrationsTable",
    )
    get_settings.cache_clear()


def scan_all(client: DynamoDBClient, table: str) -> list[Item]:
    items: list[Item] = []
    request: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = client.scan(**request)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def table_keys() -> dict[str, tuple[str, ...]]:
    """Key attribute names of every table in the template, by table (logical id)."""
    return {
        name: tuple(k["AttributeName"] for k in request["KeySchema"])
        for name, request in table_requests(TEMPLATE).items()
    }


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Every item of the template's tables, to put them back exactly as they were."""

    items: dict[str, list[Item]]
    keys: dict[str, tuple[str, ...]]

    @classmethod
    def take(cls, client: DynamoDBClient) -> Snapshot:
        keys = table_keys()
        return cls({table: scan_all(client, table) for table in keys}, keys)

    def restore(self, client: DynamoDBClient) -> None:
        for table, key_names in self.keys.items():
            keys = [{k: item[k] for k in key_names} for item in scan_all(client, table)]
            write(client, table, [{"DeleteRequest": {"Key": key}} for key in keys])
            write(client, table, [{"PutRequest": {"Item": item}} for item in self.items[table]])


def _chunks(values: list[Item], size: int) -> Iterator[list[Item]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def write(client: DynamoDBClient, table: str, requests: list[Item]) -> None:
    """BatchWriteItem, 25 requests a call, resending whatever comes back unprocessed."""
    for chunk in _chunks(requests, 25):
        pending: Any = {table: chunk}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems")


def put_items(client: DynamoDBClient, table: str, items: Iterable[Item]) -> None:
    write(client, table, [{"PutRequest": {"Item": item}} for item in items])


# -- items in the store's shapes ---------------------------------------------------------------


def event_item(
    event_id: str,
    *,
    capacity: int,
    registered: int = 0,
    waiting: int = 0,
    status: EventStatus = "active",
    date: str = "2031-05-01",  # ahead: registration closes at the start
    waitlist: bool = True,
    organizer: str = "Bench",
    offered: int = 0,
) -> Item:
    """An event as `store.events.put_new` writes it, with its counters and ticket dispenser;
    with `offered`, in offer mode with that many offers outstanding."""
    event = Event(
        eventId=event_id,
        title=f"Bench event {event_id}",
        description="Seeded by the benchmark.",
        date=date,
        location="Berlin",
        capacity=capacity,
        organizer=organizer,
        status=status,
        waitlistEnabled=waitlist,
        registeredCount=registered,
        waitlistCount=waiting,
        waitlistMode="offer" if offered else "auto",
        offeredCount=offered,
        createdAt=STAMP,
        updatedAt=STAMP,
    )
    return stored_events.new_item(event, waitlist_seq_next=waiting + 1)


def user_item(user_id: str) -> Item:
    """A user as `store.users.put_new` writes it."""
    return codec.encode(User(userId=user_id, name=f"Bench {user_id}", createdAt=STAMP).model_dump())


def registration_item(
    event_id: str, user_id: str, *, waitlist_seq: int | None = None, at: str = STAMP
) -> Item:
    """A registration as `store.registrations.put_action` writes it (registered, or waiting)."""
    status = REGISTERED if waitlist_seq is None else WAITLISTED
    place = StoredRegistration(event_id, user_id, status, at, waitlist_seq=waitlist_seq)
    item: Item = stored_registrations.put_action(place)["Put"]["Item"]
    return item


def offer_item(event_id: str, user_id: str, *, expires_at: str = "2099-01-01T00:00:00.000000Z") -> Item:
    """A registration offered a spot, as `store.registrations.offer_action` leaves it."""
    waiting = registration_item(event_id, user_id, waitlist_seq=1)
    del waiting["waitlistSeq"]
    return {
        **waiting,
        "status": {"S": OFFERED},
        "registeredSort": {"S": f"{STAMP}#{user_id}"},
        "offerId": {"S": f"offer-{user_id}"},
        "offeredAt": {"S": STAMP},
        "offerExpiresAt": {"S": expires_at},
    }
