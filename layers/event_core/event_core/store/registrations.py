"""Registrations table: one item per (event, user), with sparse indexes for each queue.

- registered-index (LSI): the people holding a spot in order of confirmation (registeredSort):
  confirmed attendees, and people holding an offer (offer mode), who keep their sort on accepting.
- waitlist-index (LSI): waiting people by arrival ticket (waitlistSeq); the head is the lowest.
- user-index (GSI): one user's registrations across events, by sign-up time.
LSIs allow strongly consistent reads, so the waitlist head is never read stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from event_core.ids import queue_partition
from event_core.models.page_cursors import RegisteredKey, UserRegistrationsCursor, WaitlistKey
from event_core.settings import get_settings
from event_core.store.client import dynamodb
from event_core.store.codec import Item, decode, encode, key
from event_core.store.page_keys import CursorT, page_of, peek_limit, resume_after
from event_core.store.retry import unprocessed_rounds

REGISTERED_INDEX = "registered-index"
WAITLIST_INDEX = "waitlist-index"
USER_INDEX = "user-index"
REGISTERED = "registered"
WAITLISTED = "waitlisted"
OFFERED = "offered"


@dataclass(frozen=True, slots=True)
class StoredRegistration:
    event_id: str
    user_id: str
    status: str
    registered_at: str
    waitlist_seq: int | None = None
    queue_key: str | None = None  # the admission queue request this place was given to
    checked_in_at: str | None = None  # when the organizer checked the attendee in
    offer_id: str | None = None  # while offered: the offer, which its expiry names
    offer_expires_at: str | None = None  # while offered: when it lapses (UTC, whole seconds)
    offered_at: str | None = None  # while offered: when it was made


def table() -> str:
    return get_settings().registrations_table


def registration_key(event_id: str, user_id: str) -> Item:
    return key(eventId=event_id, userId=user_id)


def from_item(item: dict[str, Any]) -> StoredRegistration:
    values = decode(item)
    seq = values.get("waitlistSeq")
    return StoredRegistration(
        event_id=values["eventId"],
        user_id=values["userId"],
        status=values["status"],
        registered_at=values["registeredAt"],
        waitlist_seq=int(seq) if seq is not None else None,
        queue_key=values.get("queueKey"),
        checked_in_at=values.get("checkedInAt"),
        offer_id=values.get("offerId"),
        offer_expires_at=values.get("offerExpiresAt"),
        offered_at=values.get("offeredAt"),
    )


def get(event_id: str, user_id: str) -> StoredRegistration | None:
    """One registration, read strongly consistent."""
    response = dynamodb().get_item(
        TableName=table(), Key=registration_key(event_id, user_id), ConsistentRead=True
    )
    item = response.get("Item")
    return from_item(item) if item else None


def get_many(event_id: str, user_ids: list[str]) -> dict[str, StoredRegistration]:
    """The registrations of these people at the event, by user id (BatchGetItem, consistent)."""
    found: dict[str, StoredRegistration] = {}
    unique = list(dict.fromkeys(user_ids))
    client = dynamodb()
    for start in range(0, len(unique), 100):
        request: Any = {
            table(): {
                "Keys": [registration_key(event_id, u) for u in unique[start : start + 100]],
                "ConsistentRead": True,
            }
        }
        for _ in unprocessed_rounds():
            response = client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(table(), []):
                stored = from_item(item)
                found[stored.user_id] = stored
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
    return found


def confirmed_sort(confirmed_at: str, user_id: str, waitlist_seq: int | None = None) -> str:
    """Order of confirmation; people promoted in one write keep their queue order."""
    if waitlist_seq is None:
        return f"{confirmed_at}#{user_id}"
    return f"{confirmed_at}#{waitlist_seq:012d}#{user_id}"


def put_action(registration: StoredRegistration) -> dict[str, Any]:
    """Insert a registration; fails if this user already holds any place at the event."""
    values: dict[str, object] = {
        "eventId": registration.event_id,
        "userId": registration.user_id,
        "status": registration.status,
        "registeredAt": registration.registered_at,
    }
    if registration.status == REGISTERED:
        # Admitted together in one batch: the queue key (arrival, then user) keeps their order.
        tiebreak = registration.queue_key or registration.user_id
        values["registeredSort"] = confirmed_sort(registration.registered_at, tiebreak)
    else:
        values["waitlistSeq"] = registration.waitlist_seq
    if registration.queue_key is not None:
        values["queueKey"] = registration.queue_key
    return {
        "Put": {
            "TableName": table(),
            "Item": encode(values),
            "ConditionExpression": "attribute_not_exists(userId)",
        }
    }


def delete_action(registration: StoredRegistration) -> dict[str, Any]:
    """Remove a registration, provided it is still exactly as read (and not checked in)."""
    condition = "#status = :status AND attribute_not_exists(checkedInAt)"
    values: dict[str, Any] = {":status": {"S": registration.status}}
    if registration.waitlist_seq is not None:
        condition += " AND waitlistSeq = :seq"
        values[":seq"] = {"N": str(registration.waitlist_seq)}
    return {
        "Delete": {
            "TableName": table(),
            "Key": registration_key(registration.event_id, registration.user_id),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": values,
        }
    }


def _from_waitlist(registration: StoredRegistration, at: str, status: str, **extra: str) -> dict[str, Any]:
    """Move a waiting person to `status` with a place on the registered-index, provided they are
    still waiting with that ticket; `extra` attributes are set too."""
    sets = ", ".join(f"{name} = :{name}" for name in extra)
    return {
        "Update": {
            "TableName": table(),
            "Key": registration_key(registration.event_id, registration.user_id),
            "UpdateExpression": (
                f"SET #status = :new_status, registeredSort = :sort{', ' if sets else ''}{sets}"
                " REMOVE waitlistSeq"
            ),
            "ConditionExpression": "#status = :waitlisted AND waitlistSeq = :seq",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {
                ":new_status": {"S": status},
                ":waitlisted": {"S": WAITLISTED},
                ":sort": {"S": confirmed_sort(at, registration.user_id, registration.waitlist_seq)},
                ":seq": {"N": str(registration.waitlist_seq)},
                **{f":{name}": {"S": value} for name, value in extra.items()},
            },
        }
    }


def check_in_action(registration: StoredRegistration, checked_in_at: str) -> dict[str, Any]:
    """Mark a registered attendee checked in, provided they still are, and not checked in yet."""
    return {
        "Update": {
            "TableName": table(),
            "Key": registration_key(registration.event_id, registration.user_id),
            "UpdateExpression": "SET checkedInAt = :at",
            "ConditionExpression": "#status = :registered AND attribute_not_exists(checkedInAt)",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":registered": {"S": REGISTERED}, ":at": {"S": checked_in_at}},
        }
    }


def promote_action(registration: StoredRegistration, promoted_at: str) -> dict[str, Any]:
    """Move a waiting person to registered, provided they are still waiting with that ticket."""
    return _from_waitlist(registration, promoted_at, REGISTERED, promotedAt=promoted_at)


def offer_action(
    registration: StoredRegistration, offered_at: str, offer_id: str, expires_at: str
) -> dict[str, Any]:
    """Offer a waiting person a spot until `expires_at`, provided they still wait with that ticket:
    the spot is theirs to accept (it counts as held, on the registered-index)."""
    return _from_waitlist(
        registration, offered_at, OFFERED, offeredAt=offered_at, offerId=offer_id, offerExpiresAt=expires_at
    )


def _offer_condition(offer: StoredRegistration, now: str, *, lapsed: bool) -> tuple[str, dict[str, Any]]:
    """This very offer still stands, and has (`lapsed`) or has not yet reached its expiry at `now`."""
    compare = "<=" if lapsed else ">"
    return (
        f"#status = :offered AND offerId = :offer AND offerExpiresAt {compare} :now",
        {":offered": {"S": OFFERED}, ":offer": {"S": offer.offer_id or ""}, ":now": {"S": now}},
    )


def accept_action(offer: StoredRegistration, accepted_at: str) -> dict[str, Any]:
    """The offered person takes the spot, provided the offer stands and has not expired at `accepted_at`."""
    condition, values = _offer_condition(offer, accepted_at, lapsed=False)
    return {
        "Update": {
            "TableName": table(),
            "Key": registration_key(offer.event_id, offer.user_id),
            "UpdateExpression": (
                "SET #status = :registered, promotedAt = :at REMOVE offerId, offerExpiresAt, offeredAt"
            ),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {
                **values,
                ":registered": {"S": REGISTERED},
                ":at": {"S": accepted_at},
            },
        }
    }


def close_offer_action(offer: StoredRegistration, now: str, *, lapsed: bool) -> dict[str, Any]:
    """Remove an offer: declined before its expiry, or (`lapsed`) expired at or after it."""
    condition, values = _offer_condition(offer, now, lapsed=lapsed)
    return {
        "Delete": {
            "TableName": table(),
            "Key": registration_key(offer.event_id, offer.user_id),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": values,
        }
    }


def waitlist_head(event_id: str, count: int) -> list[StoredRegistration]:
    """The first `count` people in the waitlist, read strongly consistent."""
    if count <= 0:
        return []
    items, _ = waitlist_page(event_id, limit=count, after=None)
    return items


def _page(
    index: str,
    key_name: str,
    key_value: str,
    cursor: type[CursorT],
    *,
    limit: int,
    after: CursorT | None,
    consistent: bool,
) -> tuple[list[StoredRegistration], CursorT | None]:
    response = dynamodb().query(
        TableName=table(),
        IndexName=index,
        KeyConditionExpression=f"{key_name} = :key",
        ExpressionAttributeValues={":key": {"S": key_value}},
        ConsistentRead=consistent,
        Limit=peek_limit(limit),
        **resume_after(after, **{key_name: key_value}),
    )
    items, next_position = page_of(response, limit, cursor, key_name)
    return [from_item(i) for i in items], next_position


def registered_page(
    event_id: str, *, limit: int, after: RegisteredKey | None
) -> tuple[list[StoredRegistration], RegisteredKey | None]:
    """One page of an event's confirmed attendees, in order of confirmation (consistent)."""
    return _page(
        REGISTERED_INDEX, "eventId", event_id, RegisteredKey, limit=limit, after=after, consistent=True
    )


def waitlist_page(
    event_id: str, *, limit: int, after: WaitlistKey | None
) -> tuple[list[StoredRegistration], WaitlistKey | None]:
    """One page of an event's waitlist, in queue order (consistent)."""
    return _page(WAITLIST_INDEX, "eventId", event_id, WaitlistKey, limit=limit, after=after, consistent=True)


def count_ahead(event_id: str, waitlist_seq: int) -> int:
    """How many people wait ahead of the given ticket (strongly consistent)."""
    request: dict[str, Any] = {
        "TableName": table(),
        "IndexName": WAITLIST_INDEX,
        "KeyConditionExpression": "eventId = :event AND waitlistSeq < :seq",
        "ExpressionAttributeValues": {":event": {"S": event_id}, ":seq": {"N": str(waitlist_seq)}},
        "ConsistentRead": True,
        "Select": "COUNT",
    }
    total = 0
    while True:
        response = dynamodb().query(**request)
        total += response.get("Count", 0)
        if "LastEvaluatedKey" not in response:
            return total
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def user_page(
    user_id: str, *, limit: int, after: UserRegistrationsCursor | None
) -> tuple[list[StoredRegistration], UserRegistrationsCursor | None]:
    """One page of a user's registrations, oldest sign-up first (a GSI: eventually consistent)."""
    return _page(
        USER_INDEX, "userId", user_id, UserRegistrationsCursor, limit=limit, after=after, consistent=False
    )


def purge_event(event_id: str) -> int:
    """Delete every registration of an event and its admission queue, 25 at a time.
    Returns how many items were deleted."""
    return _purge_partition(event_id) + purge_queue(event_id)


def purge_queue(event_id: str) -> int:
    """Delete what is left of an event's admission queue (requests and outcomes)."""
    return _purge_partition(queue_partition(event_id))


def _purge_partition(partition: str) -> int:
    client = dynamodb()
    request: dict[str, Any] = {
        "TableName": table(),
        "KeyConditionExpression": "eventId = :event",
        "ExpressionAttributeValues": {":event": {"S": partition}},
        "ProjectionExpression": "eventId, userId",
        "ConsistentRead": True,
    }
    deleted = 0
    while True:
        response = client.query(**request)
        keys = response.get("Items", [])
        for start in range(0, len(keys), 25):
            pending: Any = {table(): [{"DeleteRequest": {"Key": k}} for k in keys[start : start + 25]]}
            for _ in unprocessed_rounds():
                pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems")
                if not pending:
                    break
        deleted += len(keys)
        if "LastEvaluatedKey" not in response:
            return deleted
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
