"""Event models: what clients send, what the API returns."""

from __future__ import annotations

from typing import Any, Literal

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
    "ownerId": None,
    "registeredCount": 2,
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

    @model_validator(mode="after")
    def _window_not_empty(self) -> EventCreate:
        problem = windows.registration_problem(self.date, self.registrationOpensAt, self.registrationClosesAt)
        if problem is not None:
            raise ValueError(problem[1])
        return self


def _at_least_one_non_null(schema: dict[str, Any]) -> None:
    """EventUpdate's JSON schema says what it accepts: one field or more, none of them null."""
    schema["minProperties"] = 1
    schema["examples"] = [{"capacity": 3}, {"status": "postponed", "date": "2027-09-17"}]
    for field in schema.get("properties", {}).values():
        field.pop("default", None)
        kept = [option for option in field.get("anyOf", []) if option.get("type") != "null"]
        if len(kept) == 1:
            del field["anyOf"]
            field.update(kept[0])


class EventUpdate(BaseModel):
    """Body of PUT /events/{eventId}: any subset of the editable fields, none of them null."""

    model_config = ConfigDict(strict=True, extra="ignore", json_schema_extra=_at_least_one_non_null)

    title: Title | None = None
    description: Description | None = None
    date: EventDate | None = None
    location: Location | None = None
    capacity: Capacity | None = None
    organizer: Organizer | None = None
    status: EventStatus | None = Field(default=None, description=_EVENT_STATUS)
    waitlistEnabled: bool | None = Field(default=None, description=_WAITLIST)
    registrationOpensAt: WindowBound | None = Field(default=None, description=_OPENS)
    registrationClosesAt: WindowBound | None = Field(default=None, description=_CLOSES)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nulls(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, mode="json")


class OwnerChange(BaseModel):
    """Body of PUT /events/{eventId}/owner."""

    model_config = ConfigDict(
        strict=True, extra="ignore", json_schema_extra={"examples": [{"ownerId": "oscar"}]}
    )

    ownerId: Id = Field(
        description="Who manages the event from now on: with AuthMode COGNITO, the user's `sub`",
        examples=["oscar"],
    )


class WaitlistSetting(BaseModel):
    """Body of PUT /events/{eventId}/waitlist."""

    model_config = ConfigDict(
        strict=True, extra="ignore", json_schema_extra={"examples": [{"waitlistEnabled": False}]}
    )

    waitlistEnabled: bool = Field(
        description=f"{_WAITLIST}. Turning it off keeps the people already waiting in their places"
    )


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
    ownerId: str | None = Field(
        default=None,
        description="AuthMode COGNITO: the `sub` of the organizer who manages it (its creator, or whom an"
        " administrator handed it to); null in the other modes, where every caller manages it",
    )
    registeredCount: int = Field(default=0, description="How many people hold a spot")
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
