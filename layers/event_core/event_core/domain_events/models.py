"""The domain events: an envelope (id, type, version, occurredAt) around one data model each.

What consumers receive is an EventBridge event whose `source` is SOURCE, whose `detail-type` is
the event's type and whose `detail` is the envelope below. `id` is stable: every delivery of
the same change carries the same id, so consumers de-duplicate on it (publishing is at least
once).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SOURCE = "event-management-api"
VERSION: Literal[1] = 1

RegistrationStatus = Literal["registered", "waitlisted"]
EventStatus = Literal["active", "cancelled", "completed", "postponed"]
FieldValue = str | int | bool | None
# What an organizer sets on an event (EventCreate's fields but the id); a test keeps them in step.
OrganizerField = Literal[
    "title",
    "description",
    "date",
    "location",
    "capacity",
    "organizer",
    "status",
    "waitlistEnabled",
    "registrationOpensAt",
    "registrationClosesAt",
    "waitlistMode",
    "offerHoldSeconds",
]

# Serialized events always carry every field, defaults included: the schemas say so.
_FROZEN = ConfigDict(frozen=True, extra="forbid", json_schema_serialization_defaults_required=True)


class _Data(BaseModel):
    model_config = _FROZEN

    eventId: str = Field(description="The event (the gathering) this is about")


class _RegistrationData(_Data):
    userId: str = Field(description="The person")
    registeredAt: str = Field(description="When the person signed up (UTC, ISO 8601)")


class RegistrationConfirmedData(_RegistrationData):
    pass


class WaitlistedData(_RegistrationData):
    pass


class PromotedFromWaitlistData(_RegistrationData):
    promotedAt: str = Field(description="When the person got a spot (UTC, ISO 8601)")


class UnregisteredData(_RegistrationData):
    previousStatus: RegistrationStatus = Field(description="The place the person gave up")


class CheckedInData(_RegistrationData):
    checkedInAt: str = Field(description="When the organizer checked the attendee in (UTC, ISO 8601)")


class _OfferData(_RegistrationData):
    offerId: str = Field(description="The offer: one person's hold on one spot")


class OfferMadeData(_OfferData):
    offeredAt: str = Field(description="When the spot was offered (UTC, ISO 8601)")
    offerExpiresAt: str = Field(description="When the offer lapses unless accepted (UTC, ISO 8601)")


class OfferAcceptedData(_OfferData):
    acceptedAt: str = Field(description="When the person took the spot (UTC, ISO 8601)")


class OfferDeclinedData(_OfferData):
    declinedAt: str = Field(description="When the person gave the offered spot up (UTC, ISO 8601)")


class OfferExpiredData(_OfferData):
    expiredAt: str = Field(description="When the unanswered offer was ended (UTC, ISO 8601)")


class FieldChange(BaseModel):
    model_config = _FROZEN

    old: FieldValue = Field(description="Value before the change (null: it was not set)")
    new: FieldValue = Field(description="Value after the change")


class EventUpdatedData(_Data):
    changes: dict[OrganizerField, FieldChange] = Field(
        description=(
            "The organizer fields that changed (title, description, date, location, capacity, "
            "organizer, status, waitlistEnabled, waitlistMode, offerHoldSeconds, registrationOpensAt,"
            " registrationClosesAt), each with its old and new value"
        ),
        min_length=1,
    )


class EventCancelledData(_Data):
    title: str
    date: str
    previousStatus: EventStatus
    registeredCount: int = Field(description="People holding a spot when the event was cancelled")
    waitlistCount: int = Field(description="People waiting when the event was cancelled")


class EventDeletedData(_Data):
    title: str
    date: str
    lastStatus: EventStatus | None = Field(description="The status the event had when it was deleted")
    registeredCount: int = Field(description="People holding a spot when it was deleted")
    waitlistCount: int = Field(description="People waiting when it was deleted")
    deletedAt: str = Field(description="When the deletion started (UTC, ISO 8601)")


class _DomainEvent(BaseModel):
    model_config = _FROZEN

    id: str = Field(
        description=(
            "Stable id of this domain event: the same for every delivery of the same change "
            "(derived from the DynamoDB stream record). De-duplicate on it."
        )
    )
    version: Literal[1] = Field(default=VERSION, description="Version of this event's schema")
    occurredAt: str = Field(description="When the change happened (UTC, ISO 8601)")


class RegistrationConfirmed(_DomainEvent):
    """A person got a spot at an event by registering (not from the waitlist)."""

    type: Literal["RegistrationConfirmed"] = "RegistrationConfirmed"
    data: RegistrationConfirmedData


class Waitlisted(_DomainEvent):
    """The event was full: the person joined the end of its waitlist."""

    type: Literal["Waitlisted"] = "Waitlisted"
    data: WaitlistedData


class PromotedFromWaitlist(_DomainEvent):
    """A spot freed (someone left, the capacity rose, the event reopened) and the person first
    in line got it."""

    type: Literal["PromotedFromWaitlist"] = "PromotedFromWaitlist"
    data: PromotedFromWaitlistData


class Unregistered(_DomainEvent):
    """A person gave up their spot or left the waitlist. Not published for the registrations
    removed because their event was deleted: EventDeleted covers those."""

    type: Literal["Unregistered"] = "Unregistered"
    data: UnregisteredData


class CheckedIn(_DomainEvent):
    """The organizer checked a registered attendee in at the door (once per attendee)."""

    type: Literal["CheckedIn"] = "CheckedIn"
    data: CheckedInData


class OfferMade(_DomainEvent):
    """offer mode: a spot freed and the person first in line was offered it, until offerExpiresAt."""

    type: Literal["OfferMade"] = "OfferMade"
    data: OfferMadeData


class OfferAccepted(_DomainEvent):
    """The person took the spot offered to them: registered."""

    type: Literal["OfferAccepted"] = "OfferAccepted"
    data: OfferAcceptedData


class OfferDeclined(_DomainEvent):
    """The person gave up the spot offered to them (and left the event); it went to the next in line."""

    type: Literal["OfferDeclined"] = "OfferDeclined"
    data: OfferDeclinedData


class OfferExpired(_DomainEvent):
    """The offer was not answered in time: the person lost it, and the spot went to the next in line."""

    type: Literal["OfferExpired"] = "OfferExpired"
    data: OfferExpiredData


class EventUpdated(_DomainEvent):
    """The organizer changed fields of an event (registrations alone never cause it)."""

    type: Literal["EventUpdated"] = "EventUpdated"
    data: EventUpdatedData


class EventCancelled(_DomainEvent):
    """The event's status changed to cancelled."""

    type: Literal["EventCancelled"] = "EventCancelled"
    data: EventCancelledData


class EventDeleted(_DomainEvent):
    """The event was deleted, and with it every registration and waitlist place it had."""

    type: Literal["EventDeleted"] = "EventDeleted"
    data: EventDeletedData


DomainEvent = (
    RegistrationConfirmed
    | Waitlisted
    | PromotedFromWaitlist
    | Unregistered
    | CheckedIn
    | OfferMade
    | OfferAccepted
    | OfferDeclined
    | OfferExpired
    | EventUpdated
    | EventCancelled
    | EventDeleted
)

EVENT_TYPES: tuple[type[_DomainEvent], ...] = (
    RegistrationConfirmed,
    Waitlisted,
    PromotedFromWaitlist,
    Unregistered,
    CheckedIn,
    OfferMade,
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
    EventUpdated,
    EventCancelled,
    EventDeleted,
)
