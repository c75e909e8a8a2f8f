"""Registration models: a person's place at an event, confirmed or waiting."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from event_core.models.fields import Id

RegistrationStatus = Literal["registered", "offered", "waitlisted"]

# The OpenAPI document's examples: the README's "Try it" event and people.
_REGISTERED: dict[str, Any] = {
    "eventId": "pycon-2027",
    "userId": "ben",
    "status": "registered",
    "registeredAt": "2027-01-11T08:00:01.000002Z",
}
_WAITLISTED: dict[str, Any] = {
    "eventId": "pycon-2027",
    "userId": "dan",
    "status": "waitlisted",
    "registeredAt": "2027-01-11T08:00:03.000004Z",
    "waitlistPosition": 1,
}
_OFFERED: dict[str, Any] = {
    "eventId": "pycon-2027",
    "userId": "cleo",
    "status": "offered",
    "registeredAt": "2027-01-11T08:00:02.000003Z",
    "offerExpiresAt": "2027-01-12T09:30:00.000000Z",
}
# dan's waitlist place, as his own list shows it
_USER_REGISTRATION: dict[str, Any] = {
    "eventTitle": "PyCon 2027",
    "eventDate": "2027-05-14T09:00:00-04:00",
    **{key: value for key, value in _WAITLISTED.items() if key != "userId"},
}
_STATUS = (
    "registered: holds a spot; offered (offer mode): a spot is held for the person until"
    " offerExpiresAt, to accept or decline; waitlisted: waiting for one, at waitlistPosition"
)
_EXPIRES = (
    "Only while offered: when the offer lapses (server time, UTC, on a whole second); accepting"
    " later is refused and the spot is offered to the next in line"
)
_POSITION = "Only while waitlisted: the place in the queue, 1 for the next to be promoted"
_REGISTERED_AT = "When the person registered or joined the waitlist: server time, UTC, ISO 8601"
_NEXT_PAGE = "Pass as `nextToken` to read the next page; null on the last page"


class RegistrationRequest(BaseModel):
    """Body of POST /events/{eventId}/registrations."""

    model_config = ConfigDict(
        strict=True, extra="ignore", json_schema_extra={"examples": [{"userId": "ana"}]}
    )

    userId: Id = Field(
        description="Who registers (an existing user): with AuthMode COGNITO, the caller's own `sub`",
        examples=["ana"],
    )


class Registration(BaseModel):
    """A person's place at an event: a spot, or a place on its waitlist."""

    model_config = ConfigDict(json_schema_extra={"examples": [_REGISTERED, _OFFERED, _WAITLISTED]})

    eventId: str = Field(description="The event's id")
    userId: str = Field(description="The person's user id")
    status: RegistrationStatus = Field(description=_STATUS)
    registeredAt: str = Field(description=_REGISTERED_AT)
    # Only while waiting. A field's exclude_if, not a model serializer typed as a dict: that made
    # the OpenAPI document describe a registration as any object.
    waitlistPosition: int | None = Field(
        default=None, description=_POSITION, exclude_if=lambda position: position is None
    )
    checkedInAt: str | None = Field(
        default=None,
        description="Only once checked in at the door: when (server time, UTC, ISO 8601)",
        exclude_if=lambda checked_in_at: checked_in_at is None,
    )
    offerExpiresAt: str | None = Field(
        default=None, description=_EXPIRES, exclude_if=lambda expires: expires is None
    )


class RegistrationPending(BaseModel):
    """A registration still in the event's admission queue: its answer is on its way.

    Poll `GET /events/{eventId}/registrations/{userId}?request={requestId}` (the Location header).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "eventId": "pycon-2027",
                    "userId": "dan",
                    "status": "pending",
                    "requestId": "01799654403000004000",
                    "requestedAt": "2027-01-11T08:00:03.000004Z",
                }
            ]
        }
    )

    eventId: str = Field(description="The event's id")
    userId: str = Field(description="Who asked to register")
    status: Literal["pending"] = Field(default="pending", description="Always pending: not answered yet")
    requestId: str = Field(description="The queued request's id, the `request` of the poll URL")
    requestedAt: str = Field(description="When the request arrived: server time, UTC, ISO 8601")


class Unregistration(BaseModel):
    """What leaving did, and whom it moved up from the waitlist."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "message": "Successfully unregistered from event",
                    "eventId": "pycon-2027",
                    "userId": "ana",
                    "promotedUserId": "cleo",
                }
            ]
        }
    )

    message: str = Field(
        default="Successfully unregistered from event", description="What happened, for people"
    )
    eventId: str = Field(description="The event's id")
    userId: str = Field(description="Who left")
    promotedUserId: str | None = Field(
        default=None, description="Who took the freed spot, from the head of the waitlist; null if nobody"
    )
    offeredUserId: str | None = Field(
        default=None,
        description="offer mode: whom the freed spot was offered to, from the head of the waitlist;"
        " null if nobody",
    )


class EventRegistrations(BaseModel):
    """A page of an event's list: who holds a spot, then who waits, in queue order."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "eventId": "pycon-2027",
                    "registered": [
                        _REGISTERED,
                        {**_REGISTERED, "userId": "cleo", "registeredAt": "2027-01-11T08:00:02.000003Z"},
                    ],
                    "offered": [],
                    "waitlisted": [_WAITLISTED],
                    "registeredCount": 2,
                    "offeredCount": 0,
                    "waitlistCount": 1,
                    "nextToken": None,
                }
            ]
        }
    )

    eventId: str = Field(description="The event's id")
    registered: list[Registration] = Field(description="This page's people holding a spot")
    offered: list[Registration] = Field(
        default=[],
        description="This page's people holding an offer of a spot (offer mode), listed with the registered",
    )
    waitlisted: list[Registration] = Field(
        description="This page's people waiting, in queue order (after every registered one)"
    )
    registeredCount: int = Field(description="How many people hold a spot, on all pages")
    offeredCount: int = Field(default=0, description="How many people hold an offer, on all pages")
    waitlistCount: int = Field(description="How many people are waiting, on all pages")
    nextToken: str | None = Field(default=None, description=_NEXT_PAGE)


class UserRegistration(BaseModel):
    """One of a user's registrations, with the event's title and date."""

    model_config = ConfigDict(json_schema_extra={"examples": [_USER_REGISTRATION]})

    eventId: str = Field(description="The event's id")
    eventTitle: str = Field(description="The event's name")
    eventDate: str = Field(description="The event's date, as its organizer sent it")
    status: RegistrationStatus = Field(description=_STATUS)
    waitlistPosition: int | None = Field(default=None, description=_POSITION)
    offerExpiresAt: str | None = Field(
        default=None, description=_EXPIRES, exclude_if=lambda expires: expires is None
    )
    registeredAt: str = Field(description=_REGISTERED_AT)


class UserRegistrationsPage(BaseModel):
    """A page of a user's registrations."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "registrations": [_USER_REGISTRATION],
                    "count": 1,
                    "nextToken": None,
                }
            ]
        }
    )

    registrations: list[UserRegistration] = Field(description="This page's registrations")
    count: int = Field(description="How many registrations this page holds")
    nextToken: str | None = Field(default=None, description=_NEXT_PAGE)
