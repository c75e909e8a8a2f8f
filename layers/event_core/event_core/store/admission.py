"""An event's admission queue and the lease of its one writer.

Queue: the registrations table, partition `queue#<eventId>`, one item per request waiting to be
admitted, sorted by arrival (`<arrival ns>#<userId>`), so a strongly consistent Query reads the
head of the line. A request leaves the queue when the writer has admitted it (its registration
row now carries its `queueKey`) or has refused it: then an outcome item (`~<key>`, sorted after
every waiting request) says why (full, closed, outside the registration window, duplicate) until it expires.

Lease: `writer` and `writerUntil` (epoch ms) on the event item. Whoever holds it is the event's
one writer: it admits the queue in order, one transaction per batch. The lease only steers the
traffic; every admission is still conditioned on the counts it read, so two writers (a lease
that expired under a stalled writer) could never oversell, only retry.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from event_core.ids import queue_partition
from event_core.store import events, registrations
from event_core.store.client import dynamodb
from event_core.store.codec import Item, decode, encode, key
from event_core.store.events import condition_values
from event_core.store.retry import pause, unprocessed_rounds

# What the writer answered a request it did not admit; the waiting request raises the same error.
FULL = "full"
NOT_OPEN = "not-open"
DUPLICATE = "duplicate"
NOT_YET_OPEN = "window-not-open"  # arrived before the registration window opened
CLOSED = "window-closed"  # arrived once it had closed
GONE = "gone"
OUTCOME_SECONDS = 24 * 3600  # how long a request, or its refusal, can still be read back (TTL)
RELEASE_ATTEMPTS = 5
_LOST = frozenset({"ConditionalCheckFailedException", "TransactionConflictException"})


@dataclass(frozen=True, slots=True)
class QueuedRequest:
    event_id: str
    user_id: str
    key: str  # the queue item's sort key: arrival order
    arrived_at: str
    outcome: str | None = None

    @property
    def promotions(self) -> bool:
        """Not a person's request: a note that spots opened faster than one write could fill."""
        return self.user_id == PROMOTIONS


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def new_key(user_id: str) -> str:
    return f"{time.time_ns():020d}#{user_id}"


PROMOTIONS = ""  # the requestUserId of a promotions note (no person has an empty id)
OUTCOME_MARK = "~"  # sorts after the digits every arrival key starts with


def item_key(event_id: str, queue_key: str) -> Item:
    return key(eventId=queue_partition(event_id), userId=queue_key)


def outcome_key(event_id: str, queue_key: str) -> Item:
    return key(eventId=queue_partition(event_id), userId=OUTCOME_MARK + queue_key)


def from_item(event_id: str, item: dict[str, Any]) -> QueuedRequest:
    values = decode(item)
    return QueuedRequest(
        event_id=event_id,
        user_id=values["requestUserId"],
        key=values["userId"].removeprefix(OUTCOME_MARK),
        arrived_at=values["arrivedAt"],
        outcome=values.get("outcome"),
    )


def enqueue(event_id: str, user_id: str, arrived_at: str) -> QueuedRequest:
    """Put a request at the end of the line (one single-item write)."""
    request, put = _put(event_id, user_id, arrived_at)
    dynamodb().put_item(**put)
    return request


def promotions_note(event_id: str, noted_at: str) -> tuple[QueuedRequest, dict[str, Any]]:
    """A note for the queue that the event has more spots to fill from its waitlist than one
    transaction promotes, as a transaction action: written in the same transaction as the change
    that opens the spots, so a writer sees it only once they are open. The queue's writer
    promotes until none is due, then drops it."""
    request, put = _put(event_id, PROMOTIONS, noted_at)
    return request, {"Put": put}


def _put(event_id: str, user_id: str, arrived_at: str) -> tuple[QueuedRequest, dict[str, Any]]:
    request = QueuedRequest(event_id, user_id, new_key(user_id), arrived_at)
    put = {
        "TableName": registrations.table(),
        "Item": encode(
            {
                "eventId": queue_partition(event_id),
                "userId": request.key,
                "requestUserId": user_id,
                "arrivedAt": arrived_at,
                "expiresAt": now_ms() // 1000 + OUTCOME_SECONDS,  # a backstop: answered long before
            }
        ),
        "ConditionExpression": "attribute_not_exists(userId)",
    }
    return request, put


def head(event_id: str, limit: int) -> tuple[list[QueuedRequest], bool]:
    """The first `limit` requests waiting, in arrival order (strongly consistent), and whether
    more wait behind them."""
    response = dynamodb().query(
        TableName=registrations.table(),
        KeyConditionExpression="eventId = :queue AND userId < :outcomes",
        ExpressionAttributeValues={
            ":queue": {"S": queue_partition(event_id)},
            ":outcomes": {"S": OUTCOME_MARK},
        },
        ConsistentRead=True,
        Limit=limit,
    )
    waiting = [from_item(event_id, item) for item in response.get("Items", [])]
    return waiting, "LastEvaluatedKey" in response


def refuse_action(request: QueuedRequest, outcome: str) -> list[dict[str, Any]]:
    """Transaction actions that take a request off the queue and leave its outcome readable."""
    return [
        {
            "Delete": {
                "TableName": registrations.table(),
                "Key": item_key(request.event_id, request.key),
                "ConditionExpression": "attribute_exists(userId)",  # never recreate a purged queue
            }
        },
        {
            "Put": {
                "TableName": registrations.table(),
                "Item": {
                    **outcome_key(request.event_id, request.key),
                    **encode(
                        {
                            "requestUserId": request.user_id,
                            "arrivedAt": request.arrived_at,
                            "outcome": outcome,
                            "expiresAt": now_ms() // 1000 + OUTCOME_SECONDS,
                        }
                    ),
                },
            }
        },
    ]


def remove(requests: list[QueuedRequest]) -> None:
    """Take admitted requests off the queue (BatchWriteItem, 25 a call; deleting is idempotent)."""
    client = dynamodb()
    for start in range(0, len(requests), 25):
        chunk = requests[start : start + 25]
        pending: Any = {
            registrations.table(): [{"DeleteRequest": {"Key": item_key(r.event_id, r.key)}} for r in chunk]
        }
        for _ in unprocessed_rounds():
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems")
            if not pending:
                break


def take_lease(event_id: str, owner: str, seconds: float) -> bool:
    """Become the event's writer if nobody is, or the last writer's lease ran out."""
    now = now_ms()
    try:
        dynamodb().update_item(
            TableName=events.table(),
            Key=events.event_key(event_id),
            UpdateExpression="SET writer = :owner, writerUntil = :until",
            ConditionExpression=(
                "attribute_exists(eventId) AND attribute_not_exists(deletedAt)"
                " AND (attribute_not_exists(writer) OR writerUntil < :now)"
            ),
            ExpressionAttributeValues=condition_values(owner=owner, until=now + int(seconds * 1000), now=now),
        )
    except ClientError as error:
        if error.response["Error"]["Code"] in _LOST:  # held, or its writer is mid-transaction
            return False
        raise
    return True


def release_lease(event_id: str, owner: str) -> None:
    """Give the lease back (a no-op if it is no longer ours). A transaction in flight on the
    event item (an unregistration, an organizer's change) makes the write wait its turn; if it
    never gets one, the lease runs out by itself."""
    for attempt in range(RELEASE_ATTEMPTS):
        try:
            dynamodb().update_item(
                TableName=events.table(),
                Key=events.event_key(event_id),
                UpdateExpression="REMOVE writer, writerUntil, backlogged",
                ConditionExpression="writer = :owner",
                ExpressionAttributeValues=condition_values(owner=owner),
            )
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "TransactionConflictException" and attempt + 1 < RELEASE_ATTEMPTS:
                pause(attempt)
                continue
            if code not in _LOST:
                raise
        return
