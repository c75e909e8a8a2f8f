"""Events table: one item per event, holding its counters and its waitlist ticket dispenser."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from event_core.errors import EventAlreadyExists, ListingNotReady
from event_core.models import dates
from event_core.models.date_ranges import DateRange
from event_core.models.events import AUTO_MODE, PROMOTING_STATUSES, Event
from event_core.models.page_cursors import EventsByStatusCursor
from event_core.settings import get_settings
from event_core.store.client import dynamodb
from event_core.store.codec import Item, decode, encode, encode_value, key
from event_core.store.page_keys import page_of, peek_limit, position_of, resume_after

# Each status's events in the order of their dates' instants (the sort key DATE_ORDER). The older
# status-date-index, sorted on the date's text, is still in the template but no longer read.
STATUS_INDEX = "status-date-utc-index"
DATE_ORDER = "dateUtc"
# Each organizer's events of each status, in the same order: its partition key STATUS_ORGANIZER
# is "<status>#<organizer>" (no status holds a "#", so the text names one pair only).
ORGANIZER_INDEX = "status-organizer-date-utc-index"
STATUS_ORGANIZER = "statusOrganizer"
_NO_INDEX_YET = frozenset({"ValidationException", "ResourceNotFoundException"})
_EVENT_FIELDS = frozenset(Event.model_fields)
_LIVE = "attribute_exists(eventId) AND attribute_not_exists(deletedAt)"


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as stored, with the server-only fields that guard concurrent writes."""

    event: Event
    revision: int
    waitlist_seq_next: int
    writer: str | None = None  # the admission writer holding the lease (store/admission.py)
    writer_until: int = 0  # when that lease runs out, epoch milliseconds
    backlogged: bool = False  # the writer has more queued than one batch: new requests need not wait


@dataclass(frozen=True, slots=True)
class DatedEvent:
    """An event read from the status index, and where a read resumes after it."""

    event: Event
    position: EventsByStatusCursor

    @property
    def instant(self) -> str:
        """Its date's instant (DATE_ORDER), what the index orders by."""
        return self.position.dateUtc


@dataclass(frozen=True, slots=True)
class DatedPage:
    events: list[DatedEvent]
    last: EventsByStatusCursor | None  # where the next read resumes; None: nothing follows


def table() -> str:
    return get_settings().events_table


def event_key(event_id: str) -> Item:
    return key(eventId=event_id)


def from_item(item: dict[str, Any]) -> StoredEvent | None:
    values = decode(item)
    if "deletedAt" in values:
        return None
    return StoredEvent(
        event=Event.model_validate({k: v for k, v in values.items() if k in _EVENT_FIELDS}),
        revision=int(values.get("revision", 0)),
        waitlist_seq_next=int(values.get("waitlistSeqNext", 1)),
        writer=values.get("writer"),
        writer_until=int(values.get("writerUntil", 0)),
        backlogged=bool(values.get("backlogged", False)),
    )


def get(event_id: str, *, consistent: bool = True) -> StoredEvent | None:
    response = dynamodb().get_item(TableName=table(), Key=event_key(event_id), ConsistentRead=consistent)
    item = response.get("Item")
    return from_item(item) if item else None


def status_organizer(status: str, organizer: str) -> str:
    """The ORGANIZER_INDEX partition an event of this status and organizer is listed in."""
    return f"{status}#{organizer}"


def stored_fields(fields: Mapping[str, object], *, current: Event | None = None) -> dict[str, object]:
    """The attributes that hold these event fields (all of a new event's, or the changes to
    `current`): the fields, with a date its instant, with a status or an organizer the partition
    of the organizer index, so that the listings' keys are written with what they derive from."""
    stored = dict(fields)
    if "date" in fields:
        stored[DATE_ORDER] = dates.sort_key(str(fields["date"]))
    if "status" in fields or "organizer" in fields:
        status = fields.get("status", current.status if current else None)
        organizer = fields.get("organizer", current.organizer if current else None)
        stored[STATUS_ORGANIZER] = status_organizer(str(status), str(organizer))
    return stored


def new_item(event: Event, *, waitlist_seq_next: int = 1) -> Item:
    """A new event's item: its fields, its listings' keys, revision 0 and its ticket dispenser."""
    fields = stored_fields(event.model_dump(mode="json", exclude_none=True))
    return encode({**fields, "revision": 0, "waitlistSeqNext": waitlist_seq_next})


def put_new(event: Event) -> None:
    """Insert the event; EventAlreadyExists if the id is taken by anything but this very write.

    A retry of this put (by the SDK after a lost response, or by `with_retries`) finds its own
    item in place: that is success, not a conflict.
    """
    item = new_item(event)
    try:
        dynamodb().put_item(
            TableName=table(),
            Item=item,
            ConditionExpression="attribute_not_exists(eventId)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            if error.response.get("Item") == item:
                return
            raise EventAlreadyExists() from None
        raise


def condition_values(**values: object) -> dict[str, Any]:
    return {f":{name}": encode_value(value) for name, value in values.items()}


def _names(*expressions: str) -> dict[str, str]:
    """ExpressionAttributeNames for every `#name` the expressions use."""
    return {token: token[1:] for token in re.findall(r"#\w+", " ".join(expressions))}


def update_action(
    event_id: str,
    *,
    update: str,
    condition: str,
    values: dict[str, object],
) -> dict[str, Any]:
    """A TransactWriteItems Update on a live (not deleted) event.

    Write `#name` for any attribute (reserved words such as status and capacity need it);
    the names map is derived from the expressions.
    """
    names = _names(update, condition)
    action: dict[str, Any] = {
        "TableName": table(),
        "Key": event_key(event_id),
        "UpdateExpression": update,
        "ConditionExpression": f"{_LIVE} AND ({condition})",
        "ExpressionAttributeValues": condition_values(**values),
    }
    if names:
        action["ExpressionAttributeNames"] = names
    return {"Update": action}


# ---------------------------------------------------------------- the writes, by intent
#
# Each returns a TransactWriteItems action on the event item, conditioned on what the caller
# read: if another write landed in between, the transaction is cancelled and the caller re-reads.

_PROMOTING = {f"promoting{i}": status for i, status in enumerate(sorted(PROMOTING_STATUSES))}
_PROMOTING_LIST = ", ".join(f":{name}" for name in _PROMOTING)


@dataclass(frozen=True, slots=True)
class ClosedOffer:
    """An offer that ended without a spot taken, stamped on the event item by the write that ended
    it: the events stream tells a decline from an expiry by it (a removed row could not say)."""

    offer_id: str
    user_id: str
    registered_at: str  # when the person first signed up
    outcome: str  # DECLINED or EXPIRED
    closed_at: str


DECLINED = "declined"
EXPIRED = "expired"
CLOSED_OFFER_FIELDS = {
    "lastOfferId": "offer_id",
    "lastOfferUserId": "user_id",
    "lastOfferRegisteredAt": "registered_at",
    "lastOfferOutcome": "outcome",
    "lastOfferClosedAt": "closed_at",
}
REGISTERED_COUNT = "registeredCount"
OFFERED_COUNT = "offeredCount"
# Items written before offers existed have no offeredCount (0) and no waitlistMode (auto).
_OFFERED_NOW = "if_not_exists(offeredCount, :zero)"


def _seen_offers(event: Event) -> tuple[str, dict[str, object]]:
    """Conditions that the event's offered count and waitlist mode are still those of `event`."""
    offered = "offeredCount = :seen_offered"
    if event.offeredCount == 0:
        offered = f"(attribute_not_exists(offeredCount) OR {offered})"
    mode = "waitlistMode = :seen_mode"
    if event.waitlistMode == AUTO_MODE:
        mode = f"(attribute_not_exists(waitlistMode) OR {mode})"
    return f"{offered} AND {mode}", {"seen_offered": event.offeredCount, "seen_mode": event.waitlistMode}


def _stamp(closed: ClosedOffer | None) -> tuple[list[str], dict[str, object]]:
    if closed is None:
        return [], {}
    return (
        [f"{name} = :{name}" for name in CLOSED_OFFER_FIELDS],
        {name: getattr(closed, field) for name, field in CLOSED_OFFER_FIELDS.items()},
    )


def closed_offer(image: Mapping[str, Any]) -> ClosedOffer | None:
    """The ClosedOffer stamped on an event item's image, if any."""
    if "lastOfferId" not in image:
        return None
    return ClosedOffer(**{field: str(image[name]) for name, field in CLOSED_OFFER_FIELDS.items()})


def edit_action(
    stored: StoredEvent, changes: dict[str, Any], *, promoted: int, offered: int = 0, now: str
) -> dict[str, Any]:
    """An organizer's `changes` (none: only promotions), `promoted` people moved from the waitlist
    into spots and `offered` people offered one, at the revision and counts of `stored`; an edit
    moves the revision (a waitlist mode is an organizer's field: the revision guards it)."""
    event = stored.event
    values = stored_fields(changes, current=event)  # with the listings' keys they move
    assignments = [f"#{name} = :{name}" for name in values]
    assignments.append(
        "registeredCount = registeredCount + :due, waitlistCount = waitlistCount - :moved,"
        f" offeredCount = {_OFFERED_NOW} + :offers"
    )
    if changes:
        assignments.append("updatedAt = :now, revision = revision + :one")
        values.update(now=now, one=1)
    offers, offer_values = _seen_offers(event)
    values.update(due=promoted, offers=offered, moved=promoted + offered, zero=0, **offer_values)
    values.update(
        seen_revision=stored.revision, registered=event.registeredCount, waiting=event.waitlistCount
    )
    return update_action(
        event.eventId,
        update="SET " + ", ".join(assignments),
        condition=(
            "revision = :seen_revision AND registeredCount = :registered AND waitlistCount = :waiting"
            f" AND {offers}"
        ),
        values=values,
    )


def leave_waitlist_action(event_id: str) -> dict[str, Any]:
    """One person fewer waiting."""
    return update_action(
        event_id,
        update="SET waitlistCount = waitlistCount - :one",
        condition="waitlistCount >= :one",
        values={"one": 1},
    )


def release_spot_action(
    event_id: str, counter: str = REGISTERED_COUNT, closed: ClosedOffer | None = None
) -> dict[str, Any]:
    """One spot freed (a registered one, or one an offer held: `counter`), and nobody to promote
    into it: nobody waits, or the event's status does not promote."""
    stamps, values = _stamp(closed)
    return update_action(
        event_id,
        update=", ".join([f"SET {counter} = {counter} - :one", *stamps]),
        condition=(f"{counter} >= :one AND (waitlistCount = :zero OR NOT #status IN ({_PROMOTING_LIST}))"),
        values={"one": 1, "zero": 0, **_PROMOTING, **values},
    )


def release_and_fill_action(
    seen: Event,
    *,
    freed: str = REGISTERED_COUNT,
    promoted: int = 0,
    offered: int = 0,
    closed: ClosedOffer | None = None,
) -> dict[str, Any]:
    """One spot freed (`freed`: the counter that held it) and the waitlist's head moved into the
    free spots: `promoted` of them registered, `offered` of them offered one; at the counts,
    capacity, status and waitlist mode of `seen` (what decided how many are due)."""
    deltas = {REGISTERED_COUNT: promoted, OFFERED_COUNT: offered}
    deltas[freed] -= 1
    stamps, stamp_values = _stamp(closed)
    offers, offer_values = _seen_offers(seen)
    return update_action(
        seen.eventId,
        update=", ".join(
            [
                "SET registeredCount = registeredCount + :delta_registered",
                f"offeredCount = {_OFFERED_NOW} + :delta_offered",
                "waitlistCount = waitlistCount - :due",
                *stamps,
            ]
        ),
        condition=(
            "registeredCount = :registered AND waitlistCount = :waiting"
            f" AND #capacity = :capacity AND #status = :status AND {offers}"
        ),
        values={
            "delta_registered": deltas[REGISTERED_COUNT],
            "delta_offered": deltas[OFFERED_COUNT],
            "due": promoted + offered,
            "zero": 0,
            "registered": seen.registeredCount,
            "waiting": seen.waitlistCount,
            "capacity": seen.capacity,
            "status": seen.status,
            **offer_values,
            **stamp_values,
        },
    )


def count_check_in_action(event_id: str) -> dict[str, Any]:
    """One more attendee checked in (events stored before check-in start from zero)."""
    return update_action(
        event_id,
        update="SET checkedInCount = if_not_exists(checkedInCount, :zero) + :one",
        condition="attribute_exists(eventId)",
        values={"zero": 0, "one": 1},
    )


def accept_offer_action(event_id: str) -> dict[str, Any]:
    """An offer taken: the spot it held is registered; only while the event promotes (active or
    postponed: a cancelled or completed event's offers can no longer be taken)."""
    return update_action(
        event_id,
        update="SET registeredCount = registeredCount + :one, offeredCount = offeredCount - :one",
        condition=f"offeredCount >= :one AND #status IN ({_PROMOTING_LIST})",
        values={"one": 1, **_PROMOTING},
    )


def admit_batch_action(
    stored: StoredEvent,
    writer: str,
    *,
    registered: int,
    waiting: int,
    next_ticket: int,
    renew_until: int | None,
    offered: int | None = None,
    backlogged: bool = False,
) -> dict[str, Any]:
    """A batch of the admission queue's writer: the counts and ticket dispenser it leaves, if
    `writer` still holds the lease and nothing the batch was decided on moved. `renew_until`
    (epoch ms) keeps the lease with the backlog flag; None gives it back."""
    event = stored.event
    offers, offer_values = _seen_offers(event)
    values: dict[str, object] = {
        "registered": registered,
        "waiting": waiting,
        "offered": event.offeredCount if offered is None else offered,
        "ticket": next_ticket,
        "writer": writer,
        "seen_registered": event.registeredCount,
        "seen_waiting": event.waitlistCount,
        "seen_ticket": stored.waitlist_seq_next,
        "seen_status": event.status,
        "seen_capacity": event.capacity,
        "seen_waitlist": event.waitlistEnabled,
        **offer_values,
    }
    update = (
        "SET registeredCount = :registered, waitlistCount = :waiting, offeredCount = :offered,"
        " waitlistSeqNext = :ticket"
    )
    if renew_until is None:
        update += " REMOVE writer, writerUntil, backlogged"
    else:
        update += ", writerUntil = :until, backlogged = :backlog"
        values.update(until=renew_until, backlog=backlogged)
    return update_action(
        event.eventId,
        update=update,
        condition=(
            "writer = :writer AND registeredCount = :seen_registered AND waitlistCount = :seen_waiting"
            " AND waitlistSeqNext = :seen_ticket AND #status = :seen_status"
            f" AND #capacity = :seen_capacity AND waitlistEnabled = :seen_waitlist AND {offers}"
        ),
        values=values,
    )


def by_date(
    status: str,
    *,
    limit: int,
    after: EventsByStatusCursor | None,
    organizer: str | None = None,
    between: DateRange | None = None,
) -> DatedPage:
    """Up to `limit` events of one status (and of one organizer), earliest instant first, from
    after the position `after`, with an instant `between` the range's bounds: one Query, on the
    status index or the organizer index, whose key condition holds the range, so it reads the
    page's events and no others. `after` must lie in the range (DynamoDB refuses a start key
    outside its key condition)."""
    if organizer is None:
        index, partition = STATUS_INDEX, {"status": status}
    else:
        index, partition = ORGANIZER_INDEX, {STATUS_ORGANIZER: status_organizer(status, organizer)}
    ((partition_name, partition_value),) = partition.items()
    between = between or DateRange()
    if between.empty:
        return DatedPage(events=[], last=None)
    condition, values = _within(between)
    try:
        response = dynamodb().query(
            TableName=table(),
            IndexName=index,
            KeyConditionExpression=f"#partition = :partition{condition}",
            ExpressionAttributeNames={"#partition": partition_name},
            ExpressionAttributeValues=condition_values(partition=partition_value, **values),
            Limit=peek_limit(limit),
            **resume_after(after, **partition),
        )
    except ClientError as error:
        # DynamoDB refuses reads of a GSI until it is ACTIVE (a stack update adds one without
        # waiting for it) and of one the table lacks (a local table made by an older template).
        failure = error.response["Error"]
        if failure["Code"] in _NO_INDEX_YET and index in failure.get("Message", ""):
            raise ListingNotReady() from error
        raise
    items, last = page_of(response, limit, EventsByStatusCursor, partition_name)
    dated = [
        DatedEvent(stored.event, position=position_of(item, EventsByStatusCursor))
        for item in items
        if (stored := from_item(item))
    ]
    return DatedPage(events=dated, last=last)


def _within(between: DateRange) -> tuple[str, dict[str, object]]:
    """The key condition on DATE_ORDER (to add to the partition's) that keeps to the range."""
    first, last = between.first_key, between.last_key
    if first is not None and last is not None:
        return f" AND {DATE_ORDER} BETWEEN :first AND :last", {"first": first, "last": last}
    if first is not None:
        return f" AND {DATE_ORDER} >= :first", {"first": first}
    if last is not None:
        return f" AND {DATE_ORDER} <= :last", {"last": last}
    return "", {}


@dataclass(frozen=True, slots=True)
class ListingKeys:
    """What a live event's listings' keys derive from, and the keys it has (None: missing)."""

    event_id: str
    date: str
    status: str
    organizer: str
    date_utc: str | None
    status_organizer: str | None


def listing_keys_of_live_events(*, start_key: Item | None) -> tuple[list[ListingKeys], Item | None]:
    """One page of a Scan of the live events, with what their listings' keys derive from."""
    request: dict[str, Any] = {
        "TableName": table(),
        "ConsistentRead": True,
        "FilterExpression": "attribute_not_exists(deletedAt)",
        "ProjectionExpression": f"eventId, #date, #status, organizer, {DATE_ORDER}, {STATUS_ORGANIZER}",
        "ExpressionAttributeNames": {"#date": "date", "#status": "status"},
    }
    if start_key:
        request["ExclusiveStartKey"] = start_key
    response = dynamodb().scan(**request)
    found = [
        ListingKeys(
            event_id=values["eventId"],
            date=values["date"],
            status=values["status"],
            organizer=values["organizer"],
            date_utc=values.get(DATE_ORDER),
            status_organizer=values.get(STATUS_ORGANIZER),
        )
        for values in map(decode, response.get("Items", []))
    ]
    return found, response.get("LastEvaluatedKey")


def set_listing_keys(seen: ListingKeys, *, instant: str) -> bool:
    """Give a live event its DATE_ORDER (`instant`) and STATUS_ORGANIZER, unless its date, status
    or organizer is no longer what `seen` read (a write since wrote its keys with them). False if
    not written."""
    return _conditional_update(
        seen.event_id,
        update=f"SET {DATE_ORDER} = :instant, {STATUS_ORGANIZER} = :partition",
        condition=f"{_LIVE} AND #date = :date AND #status = :status AND organizer = :organizer",
        values={
            "instant": instant,
            "partition": status_organizer(seen.status, seen.organizer),
            "date": seen.date,
            "status": seen.status,
            "organizer": seen.organizer,
        },
    )


def _conditional_update(event_id: str, update: str, condition: str, values: dict[str, object]) -> bool:
    """An UpdateItem that reports a failed condition as False instead of raising."""
    names = _names(update, condition)
    request: dict[str, Any] = {
        "TableName": table(),
        "Key": event_key(event_id),
        "UpdateExpression": update,
        "ConditionExpression": condition,
        "ExpressionAttributeValues": condition_values(**values),
    }
    if names:
        request["ExpressionAttributeNames"] = names
    try:
        dynamodb().update_item(**request)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def tombstone_of(event_id: str) -> str | None:
    """The deletedAt of the event's tombstone (a delete in progress), or None (strongly consistent)."""
    response = dynamodb().get_item(
        TableName=table(), Key=event_key(event_id), ConsistentRead=True, ProjectionExpression="deletedAt"
    )
    deleted_at = response.get("Item", {}).get("deletedAt", {}).get("S")
    return str(deleted_at) if deleted_at is not None else None


def mark_deleted(event_id: str, deleted_at: str, deletion: str, *, owned_by: str | None = None) -> bool:
    """Tombstone a live event so every reader sees it as gone. False if it was not live (or,
    with `owned_by`, not that owner's).

    `deletion` identifies this delete: only the delete that placed the tombstone purges the
    event and removes it.
    """
    values: dict[str, object] = {"at": deleted_at, "deletion": deletion}
    condition = _LIVE
    if owned_by is not None:
        condition += " AND ownerId = :owned_by"
        values["owned_by"] = owned_by
    return _conditional_update(
        event_id,
        update=f"SET deletedAt = :at, deletedBy = :deletion REMOVE #status, {STATUS_ORGANIZER}",
        condition=condition,
        values=values,
    )


def take_over_deletion(event_id: str, deleted_at: str, deletion: str, stale_before: str) -> bool:
    """Adopt a tombstone whose delete was interrupted (older than `stale_before`)."""
    return _conditional_update(
        event_id,
        update="SET deletedAt = :at, deletedBy = :deletion",
        condition="attribute_exists(deletedAt) AND deletedAt < :stale_before",
        values={"at": deleted_at, "deletion": deletion, "stale_before": stale_before},
    )


# A deletedAt older than any grace period: the tombstone is adoptable at once.
RELEASED_AT = "1970-01-01T00:00:00+00:00"


def release_deletion(event_id: str, deletion: str) -> bool:
    """Hand over the tombstone this delete placed (its purge failed): the next delete adopts it
    at once instead of after the grace period."""
    return _conditional_update(
        event_id,
        update="SET deletedAt = :released",
        condition="deletedBy = :deletion",
        values={"released": RELEASED_AT, "deletion": deletion},
    )


def remove_tombstone(event_id: str, deletion: str) -> None:
    """Drop the tombstone this delete placed; a no-op if another delete adopted it."""
    try:
        dynamodb().delete_item(
            TableName=table(),
            Key=event_key(event_id),
            ConditionExpression="deletedBy = :deletion",
            ExpressionAttributeValues={":deletion": {"S": deletion}},
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
