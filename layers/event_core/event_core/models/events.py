"""Event models: what clients send, what the API returns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from event_core import windows
from event_core.models.fields import (
    Capacity,
    Description,
    EventDate,
    Id,
    Location,
    Organizer,
    Title,
    WindowBound,
)

EventStatus = Literal["active", "cancelled", "completed", "postponed"]
# auto: a freed spot goes to the waitlist's head at once; offer: it is offered to them for a while.
WaitlistMode = Literal["auto", "offer"]
AUTO_MODE: WaitlistMode = "auto"
OFFER_MODE: WaitlistMode = "offer"
MIN_OFFER_HOLD_SECONDS = 10  # short enough to watch an offer expire locally
MAX_OFFER_HOLD_SECONDS = 7 * 24 * 3600
DEFAULT_OFFER_HOLD_SECONDS = 24 * 3600

OPEN_STATUS: EventStatus = "active"
# Statuses in which a freed spot goes to the head of the waitlist.
PROMOTING_STATUSES: frozenset[str] = frozenset({"active", "postponed"})

_REQUEST = ConfigDict(strict=True, extra="ignore")

# The OpenAPI document's examples: the README's "Try it" event, pycon-2027, and its people.
_CREATED_AT = "2027-01-10T15:04:05.123456Z"
EXAMPLE_EVENT: dict[str, Any] = {
    "eventId": "pycon-2027",
    "title": "PyCon 2027",
    "description": "Talks and sprints",
    "date": "2027-05-14T09:00:00-04:00",
    "location": "Pittsburgh",
    "capacity": 2,
    "organizer": "PSF",
    "status": "active",
    "waitlistEnabled": True,
    "registrationOpensAt": "2027-01-11T08:00:00Z",
    "registrationClosesAt": None,
    "waitlistMode": "auto",
    "offerHoldSeconds": DEFAULT_OFFER_HOLD_SECONDS,
    "ownerId": None,
    "registeredCount": 2,
    "offeredCount": 0,
    "waitlistCount": 2,
    "checkedInCount": 0,
    "createdAt": _CREATED_AT,
    "updatedAt": "2027-01-10T15:09:30.654321Z",
}
_EVENT_STATUS = (
    "active: open for registration; postponed: closed to newcomers, a freed spot still goes to the"
    " waitlist's head; cancelled, completed: closed, nobody is promoted"
)
_WAITLIST = "Whether people who find the event full join its waitlist (else they are refused, 409)"
_OPENS = "When registration opens (registering before is refused, 409); absent or null: open since creation"
_CLOSES = (
    "When registration closes (registering from then on is refused, 409; leaving is still allowed);"
    " absent or null: at the event's start. May be after the start"
)
_MODE = (
    "What a freed spot does (a leave, a capacity raise, a declined or expired offer). auto: it goes"
    " to the waitlist's head at once; offer: it is offered to the waitlist's head, who accepts or"
    " declines within offerHoldSeconds, else it is offered to the next. A switch applies to the"
    " spots freed afterwards; outstanding offers keep running"
)
_HOLD = (
    "offer mode: how long an offer holds its spot, in seconds (10 to 604800, default 86400); a"
    " change applies to the offers made afterwards"
)
Mode = Annotated[WaitlistMode, Field(description=_MODE)]
HoldSeconds = Annotated[
    int, Field(ge=MIN_OFFER_HOLD_SECONDS, le=MAX_OFFER_HOLD_SECONDS, description=_HOLD, examples=[3600])
]


class EventCreate(BaseModel):
    """Body of POST /events. Counters and timestamps belong to the server and are ignored."""

    model_config = ConfigDict(
        strict=True,
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    key: EXAMPLE_EVENT[key]
                    for key in (
                        "eventId",
                        "title",
                        "description",
                        "date",
                        "location",
                        "capacity",
                        "organizer",
                        "waitlistEnabled",
                        "registrationOpensAt",
                    )
                }
            ]
        },
    )

    eventId: Id | None = Field(
        default=None,
        description="The event's id, as it will appear in URLs; generated if absent",
        examples=["pycon-2027"],
    )
    title: Title
    description: Description
    date: EventDate
    location: Location
    capacity: Capacity
    organizer: Organizer
    status: EventStatus = Field(default="active", description=_EVENT_STATUS)
    waitlistEnabled: bool = Field(default=False, description=_WAITLIST)
    registrationOpensAt: WindowBound | None = Field(default=None, description=_OPENS)
    registrationClosesAt: WindowBound | None = Field(default=None, description=_CLOSES)
    waitlistMode: Mode = AUTO_MODE
    offerHoldSeconds: HoldSeconds = DEFAULT_OFFER_HOLD_SECONDS

    @model_validator(mode="after")
    def _window_not_empty(self) -> EventCreate:
        problem = windows.registration_problem(self.date, self.registrationOpensAt, self.registrationClosesAt)
        if problem is not None:
            raise ValueError(problem[1])
        return self


def _at_least_one_non_null(examples: list[dict[str, Any]]) -> Callable[[dict[str, Any]], None]:
    """A partial update's JSON schema says what it accepts: one field or more, none of them null."""

    def describe(schema: dict[str, Any]) -> None:
        schema["minProperties"] = 1
        schema["examples"] = examples
        for field in schema.get("properties", {}).values():
            field.pop("default", None)
            kept = [option for option in field.get("anyOf", []) if option.get("type") != "null"]
            if len(kept) == 1:
                del field["anyOf"]
                field.update(kept[0])

    return describe


class _PartialUpdate(BaseModel):
    """Any subset of a model's fields, none of them null."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nulls(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, mode="json")


class EventUpdate(_PartialUpdate):
    """Body of PUT /events/{eventId}: any subset of the editable fields, none of them null."""

    model_config = ConfigDict(
        strict=True,
        extra="ignore",
        json_schema_extra=_at_least_one_non_null(
            [{"capacity": 3}, {"status": "postponed", "date": "2027-09-17"}]
        ),
    )

    title: Title | None = None
    description: Description | None = None
    date: EventDate | None = None
    location: Location | None = None
    capacity: Capacity | None = None
    organizer: Organizer | None = None
    status: EventStatus | None = Field(default=None, description=_EVENT_STATUS)
    waitlistEnabled: bool | None = Field(default=None, description=_WAITLIST)
    waitlistMode: Mode | None = None
    offerHoldSeconds: HoldSeconds | None = None
    registrationOpensAt: WindowBound | None = Field(default=None, description=_OPENS)
    registrationClosesAt: WindowBound | None = Field(default=None, description=_CLOSES)


class OwnerChange(BaseModel):
    """Body of PUT /events/{eventId}/owner."""

    model_config = ConfigDict(
        strict=True, extra="ignore", json_schema_extra={"examples": [{"ownerId": "oscar"}]}
    )

    ownerId: Id = Field(
        description="Who manages the event from now on: with AuthMode COGNITO, the user's `sub`",
        examples=["oscar"],
    )


class WaitlistSetting(_PartialUpdate):
    """Body of PUT /events/{eventId}/waitlist: the waitlist's settings, one or more."""

    model_config = ConfigDict(
        strict=True,
        extra="ignore",
        json_schema_extra=_at_least_one_non_null(
            [{"waitlistEnabled": False}, {"waitlistMode": "offer", "offerHoldSeconds": 3600}]
        ),
    )

    waitlistEnabled: bool | None = Field(
        default=None,
        description=f"{_WAITLIST}. Turning it off keeps the people already waiting in their places",
    )
    waitlistMode: Mode | None = None
    offerHoldSeconds: HoldSeconds | None = None

    @model_validator(mode="after")
    def _some_setting(self) -> WaitlistSetting:
        if not self.model_fields_set:
            raise ValueError("set waitlistEnabled, waitlistMode or offerHoldSeconds")
        return self


class Event(BaseModel):
    """An event, with its counters."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_EVENT]})

    eventId: str = Field(description="The event's id")
    title: str = Field(description="The event's name")
    description: str = Field(description="What the event is")
    date: str = Field(
        description="When it takes place, as the organizer sent it (T and Z upper-cased): an RFC 3339"
        " date, or a date-time with its offset"
    )
    location: str = Field(description="Where it takes place")
    capacity: int = Field(description="How many people may be registered at once")
    organizer: str = Field(description="Who organizes it")
    status: EventStatus = Field(description=_EVENT_STATUS)
    waitlistEnabled: bool = Field(description=_WAITLIST)
    registrationOpensAt: str | None = Field(default=None, description=_OPENS)
    registrationClosesAt: str | None = Field(default=None, description=_CLOSES)
    waitlistMode: Mode = AUTO_MODE
    offerHoldSeconds: int = Field(default=DEFAULT_OFFER_HOLD_SECONDS, description=_HOLD)
    ownerId: str | None = Field(
        default=None,
        description="AuthMode COGNITO: the `sub` of the organizer who manages it (its creator, or whom an"
        " administrator handed it to); null in the other modes, where every caller manages it",
    )
    registeredCount: int = Field(default=0, description="How many people hold a spot")
    offeredCount: int = Field(
        default=0, description="How many spots are held by offers not yet answered (offer mode)"
    )
    waitlistCount: int = Field(default=0, description="How many people are waiting for one")
    checkedInCount: int = Field(default=0, description="How many registered attendees have been checked in")
    createdAt: str = Field(description="When it was created: server time, UTC, ISO 8601 with microseconds")
    updatedAt: str = Field(description="When it last changed: server time, UTC, ISO 8601 with microseconds")


class UpdatedEvent(Event):
    """An event as a change left it, with whom the change moved from the waitlist into the spots
    it opened (a capacity raise, reopening the event), in queue order."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **EXAMPLE_EVENT,
                    "capacity": 3,
                    "registeredCount": 3,
                    "waitlistCount": 0,
                    "promotedUserIds": ["dan"],
                }
            ]
        }
    )

    promotedUserIds: list[str] = Field(
        default=[],
        description="Who this change moved from the waitlist into a spot, in queue order (empty if nobody)",
    )
    offeredUserIds: list[str] = Field(
        default=[],
        description="offer mode: who this change offered a spot to, in queue order (empty if nobody)",
    )


class EventPage(BaseModel):
    """A page of events, earliest first."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"events": [EXAMPLE_EVENT], "count": 1, "nextToken": None}]}
    )

    events: list[Event] = Field(description="The events of this page, by the instant of their date")
    count: int = Field(description="How many events this page holds")
    nextToken: str | None = Field(
        default=None, description="Pass as `nextToken` to read the next page; null on the last page"
    )


class EventDeletion(BaseModel):
    """What a delete did."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"message": "Event deleted successfully", "eventId": "pycon-2027"}]}
    )

    message: str = Field(default="Event deleted successfully", description="What happened, for people")
    eventId: str = Field(description="The deleted event's id")
    # Gone for every reader, but its registrations are still being removed (in the background).
    _purging: bool = PrivateAttr(default=False)

    @classmethod
    def still_purging(cls, event_id: str) -> EventDeletion:
        deleted = cls(eventId=event_id, message="Event deleted; its registrations are being removed")
        deleted._purging = True
        return deleted

    @property
    def purging(self) -> bool:
        return self._purging
