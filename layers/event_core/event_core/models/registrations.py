"""Registration models: a person's place at an event, confirmed or waiting."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

from event_core.models.fields import Id

RegistrationStatus = Literal["registered", "waitlisted"]


class RegistrationRequest(BaseModel):
    """Body of POST /events/{eventId}/registrations."""

    model_config = ConfigDict(strict=True, extra="ignore")

    userId: Id


class Registration(BaseModel):
    eventId: str
    userId: str
    status: RegistrationStatus
    registeredAt: str
    waitlistPosition: int | None = None

    @model_serializer(mode="wrap")
    def _position_only_when_waiting(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("waitlistPosition") is None:
            data.pop("waitlistPosition", None)
        return data


class RegistrationPending(BaseModel):
    """A registration still in the event's admission queue: its answer is on its way.

    Poll `GET /events/{eventId}/registrations/{userId}?request={requestId}` (the Location header).
    """

    eventId: str
    userId: str
    status: Literal["pending"] = "pending"
    requestId: str
    requestedAt: str


class Unregistered(BaseModel):
    message: str = "Successfully unregistered from event"
    eventId: str
    userId: str
    promotedUserId: str | None = None


class EventRegistrations(BaseModel):
    eventId: str
    registered: list[Registration]
    waitlisted: list[Registration]
    registeredCount: int
    waitlistCount: int
    nextToken: str | None = None


class UserRegistration(BaseModel):
    eventId: str
    eventTitle: str
    eventDate: str
    status: RegistrationStatus
    waitlistPosition: int | None = None
    registeredAt: str


class UserRegistrationsPage(BaseModel):
    registrations: list[UserRegistration]
    count: int
    nextToken: str | None = None
