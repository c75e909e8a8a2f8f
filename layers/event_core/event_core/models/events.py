"""Event models: what clients send, what the API returns."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr, field_validator

from event_core.models.fields import (
    Capacity,
    Description,
    EventDate,
    Id,
    Location,
    Organizer,
    Title,
)

EventStatus = Literal["active", "cancelled", "completed", "postponed"]

OPEN_STATUS: EventStatus = "active"
# Statuses in which a freed spot goes to the head of the waitlist.
PROMOTING_STATUSES: frozenset[str] = frozenset({"active", "postponed"})

_REQUEST = ConfigDict(strict=True, extra="ignore")


class EventCreate(BaseModel):
    """Body of POST /events. Counters and timestamps belong to the server and are ignored."""

    model_config = _REQUEST

    eventId: Id | None = None
    title: Title
    description: Description
    date: EventDate
    location: Location
    capacity: Capacity
    organizer: Organizer
    status: EventStatus = "active"
    waitlistEnabled: bool = False


def _at_least_one_non_null(schema: dict[str, Any]) -> None:
    """EventUpdate's JSON schema says what it accepts: one field or more, none of them null."""
    schema["minProperties"] = 1
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
    status: EventStatus | None = None
    waitlistEnabled: bool | None = None

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

    model_config = _REQUEST

    ownerId: Id


class WaitlistSetting(BaseModel):
    """Body of PUT /events/{eventId}/waitlist."""

    model_config = _REQUEST

    waitlistEnabled: bool


class Event(BaseModel):
    eventId: str
    title: str
    description: str
    date: str
    location: str
    capacity: int
    organizer: str
    status: EventStatus
    waitlistEnabled: bool
    # AuthMode COGNITO: the `sub` of the organizer who manages it (its creator, or whom an
    # administrator handed it to); null in the other modes, where every caller manages it.
    ownerId: str | None = None
    registeredCount: int = 0
    waitlistCount: int = 0
    createdAt: str
    updatedAt: str


class UpdatedEvent(Event):
    """An event as a change left it, with whom the change moved from the waitlist into the spots
    it opened (a capacity raise, reopening the event), in queue order."""

    promotedUserIds: list[str] = []


class EventPage(BaseModel):
    events: list[Event]
    count: int
    nextToken: str | None = None


class EventDeleted(BaseModel):
    message: str = "Event deleted successfully"
    eventId: str
    # Gone for every reader, but its registrations are still being removed (in the background).
    _purging: bool = PrivateAttr(default=False)

    @classmethod
    def still_purging(cls, event_id: str) -> EventDeleted:
        deleted = cls(eventId=event_id, message="Event deleted; its registrations are being removed")
        deleted._purging = True
        return deleted

    @property
    def purging(self) -> bool:
        return self._purging
