"""Which domain events a committed change stands for: pure rules over a stream record's images.

Registrations table:
- INSERT registered -> RegistrationConfirmed; INSERT waitlisted -> Waitlisted.
- MODIFY waitlisted -> registered -> PromotedFromWaitlist; waitlisted -> offered -> OfferMade;
  offered -> registered -> OfferAccepted.
- MODIFY that sets `checkedInAt` -> CheckedIn.
- REMOVE of an offer publishes nothing here: the write that ended it stamped the event item,
  whose record says whether it was declined or expired (below).
- REMOVE -> Unregistered, unless the registration went with its event: when the event is no
  longer live (tombstoned mid-delete, or gone) or is a newer event under the same id, the
  removal is the delete's cascade, which EventDeleted already announces.

Events table:
- MODIFY that sets the tombstone (`deletedAt` appears) -> EventDeleted. Changes to a tombstone
  (a stalled delete adopted by another) and its final removal publish nothing.
- MODIFY of organizer fields -> EventUpdated with the changed fields; a status change to
  cancelled -> EventCancelled instead (plus EventUpdated if other fields changed in the same
  write). Counter-only changes (registrations, promotions) publish nothing.
- MODIFY that stamps another ended offer (lastOfferId) -> OfferDeclined or OfferExpired.
- REMOVE of an item that was never tombstoned (deleted by hand) -> EventDeleted.
- INSERT publishes nothing.

Every event's id is derived from the stream record's id and the event type, so redelivering a
record yields the same ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from event_core.domain_events import models
from event_core.domain_events.models import DomainEvent, FieldChange, OrganizerField
from event_core.ids import is_queue_partition
from event_core.store.events import DECLINED, closed_offer
from event_core.store.registrations import OFFERED, REGISTERED, WAITLISTED

Table = Literal["events", "registrations"]
Kind = Literal["INSERT", "MODIFY", "REMOVE"]
# eventId -> createdAt of the live event with that id; None when it is deleted or being deleted.
LiveEventLookup = Callable[[str], str | None]

CANCELLED = "cancelled"
TOMBSTONE = "deletedAt"
CHECKED_IN = "checkedInAt"
# What an organizer sets; counters, timestamps and guards are the server's.
ORGANIZER_FIELDS: tuple[OrganizerField, ...] = get_args(OrganizerField)
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:event-management-api:domain-events")


@dataclass(frozen=True, slots=True)
class StreamChange:
    """One stream record, decoded: which table, what kind of write, the item before and after."""

    table: Table
    kind: Kind
    record_id: str  # the stream record's eventID: the same on every delivery
    old: Mapping[str, Any]
    new: Mapping[str, Any]
    recorded_at: str  # the record's approximate creation time (second precision), ISO 8601


def domain_events(change: StreamChange, live_event: LiveEventLookup) -> list[DomainEvent]:
    if change.table == "registrations":
        return _registration_events(change, live_event)
    return _event_events(change)


def event_id(change: StreamChange, event_type: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"{change.table}/{change.record_id}/{event_type}"))


# ------------------------------------------------------------------ registrations


def _registration_events(change: StreamChange, live_event: LiveEventLookup) -> list[DomainEvent]:
    old, new = change.old, change.new
    if is_queue_partition(str((new or old).get("eventId", ""))):
        return []  # an admission queue request: its registration, once written, is the news
    if change.kind == "INSERT":
        if new.get("status") == REGISTERED:
            return [
                models.RegistrationConfirmed(
                    id=event_id(change, "RegistrationConfirmed"),
                    occurredAt=new["registeredAt"],
                    data=models.RegistrationConfirmedData(**_registration(new)),
                )
            ]
        if new.get("status") == WAITLISTED:
            return [
                models.Waitlisted(
                    id=event_id(change, "Waitlisted"),
                    occurredAt=new["registeredAt"],
                    data=models.WaitlistedData(**_registration(new)),
                )
            ]
        return []
    if change.kind == "MODIFY":
        if old.get("status") == OFFERED or new.get("status") == OFFERED:
            return _offer_events(change)
        if old.get("status") == WAITLISTED and new.get("status") == REGISTERED:
            promoted_at = new.get("promotedAt") or change.recorded_at
            return [
                models.PromotedFromWaitlist(
                    id=event_id(change, "PromotedFromWaitlist"),
                    occurredAt=promoted_at,
                    data=models.PromotedFromWaitlistData(**_registration(new), promotedAt=promoted_at),
                )
            ]
        if CHECKED_IN in new and CHECKED_IN not in old:
            return [
                models.CheckedIn(
                    id=event_id(change, "CheckedIn"),
                    occurredAt=new[CHECKED_IN],
                    data=models.CheckedInData(**_registration(new), checkedInAt=new[CHECKED_IN]),
                )
            ]
        return []
    if old.get("status") == OFFERED or not _left_a_live_event(old, live_event):
        return []
    return [
        models.Unregistered(
            id=event_id(change, "Unregistered"),
            occurredAt=change.recorded_at,
            data=models.UnregisteredData(**_registration(old), previousStatus=old["status"]),
        )
    ]


def _offer_events(change: StreamChange) -> list[DomainEvent]:
    old, new = change.old, change.new
    if new.get("status") == OFFERED and old.get("status") == WAITLISTED:
        return [
            models.OfferMade(
                id=event_id(change, "OfferMade"),
                occurredAt=new["offeredAt"],
                data=models.OfferMadeData(
                    **_registration(new),
                    offerId=new["offerId"],
                    offeredAt=new["offeredAt"],
                    offerExpiresAt=new["offerExpiresAt"],
                ),
            )
        ]
    if old.get("status") == OFFERED and new.get("status") == REGISTERED:
        accepted_at = new.get("promotedAt") or change.recorded_at
        return [
            models.OfferAccepted(
                id=event_id(change, "OfferAccepted"),
                occurredAt=accepted_at,
                data=models.OfferAcceptedData(
                    **_registration(new), offerId=old["offerId"], acceptedAt=accepted_at
                ),
            )
        ]
    return []


def _offer_ended(change: StreamChange) -> list[DomainEvent]:
    """An event item's write that ended an offer stamped it (store.events.ClosedOffer)."""
    ended = closed_offer(change.new)
    if ended is None or ended == closed_offer(change.old):
        return []
    common = {
        "eventId": change.new["eventId"],
        "userId": ended.user_id,
        "registeredAt": ended.registered_at,
        "offerId": ended.offer_id,
    }
    if ended.outcome == DECLINED:
        return [
            models.OfferDeclined(
                id=event_id(change, "OfferDeclined"),
                occurredAt=ended.closed_at,
                data=models.OfferDeclinedData(**common, declinedAt=ended.closed_at),
            )
        ]
    return [
        models.OfferExpired(
            id=event_id(change, "OfferExpired"),
            occurredAt=ended.closed_at,
            data=models.OfferExpiredData(**common, expiredAt=ended.closed_at),
        )
    ]


def _registration(image: Mapping[str, Any]) -> dict[str, Any]:
    return {"eventId": image["eventId"], "userId": image["userId"], "registeredAt": image["registeredAt"]}


def _left_a_live_event(old: Mapping[str, Any], live_event: LiveEventLookup) -> bool:
    """A removal is someone leaving if its event is live and is the one they signed up for
    (an event deleted and created again under the same id is a different event)."""
    created_at = live_event(old["eventId"])
    return created_at is not None and created_at <= old["registeredAt"]


# ------------------------------------------------------------------ events


def _event_events(change: StreamChange) -> list[DomainEvent]:
    old, new = change.old, change.new
    if change.kind == "REMOVE":
        if TOMBSTONE in old:
            return []  # the end of a delete whose start (the tombstone) was published
        return [_deleted(change, old, deleted_at=change.recorded_at)]
    if change.kind != "MODIFY" or TOMBSTONE in old:
        return []
    if TOMBSTONE in new:
        return [_deleted(change, old, deleted_at=new[TOMBSTONE])]

    changes = {
        name: FieldChange(old=old.get(name), new=new.get(name))
        for name in ORGANIZER_FIELDS
        if old.get(name) != new.get(name)
    }
    occurred_at = new.get("updatedAt") or change.recorded_at
    published: list[DomainEvent] = _offer_ended(change)
    if new.get("status") == CANCELLED and old.get("status") != CANCELLED:
        del changes["status"]
        published.append(
            models.EventCancelled(
                id=event_id(change, "EventCancelled"),
                occurredAt=occurred_at,
                data=models.EventCancelledData(
                    eventId=new["eventId"],
                    title=new["title"],
                    date=new["date"],
                    previousStatus=old["status"],
                    registeredCount=new.get("registeredCount", 0),
                    waitlistCount=new.get("waitlistCount", 0),
                ),
            )
        )
    if changes:
        published.append(
            models.EventUpdated(
                id=event_id(change, "EventUpdated"),
                occurredAt=occurred_at,
                data=models.EventUpdatedData(eventId=new["eventId"], changes=changes),
            )
        )
    return published


def _deleted(change: StreamChange, last: Mapping[str, Any], *, deleted_at: str) -> models.EventDeleted:
    return models.EventDeleted(
        id=event_id(change, "EventDeleted"),
        occurredAt=deleted_at,
        data=models.EventDeletedData(
            eventId=last["eventId"],
            title=last["title"],
            date=last["date"],
            lastStatus=last.get("status"),
            registeredCount=last.get("registeredCount", 0),
            waitlistCount=last.get("waitlistCount", 0),
            deletedAt=deleted_at,
        ),
    )
