"""POST /events/{eventId}/registrations - take a spot, or join the waitlist when full."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.api_docs import errors
from event_core.http import lambda_entry, make_resolver
from event_core.models.registrations import Registration, RegistrationRequest
from event_core.registration import register

app = make_resolver()


@app.post(
    "/events/<eventId>/registrations",
    status_code=201,
    summary="Register for an event, or join its waitlist when full",
    tags=["Registrations"],
    responses=errors(
        404,
        409,
        413,
        422,
        503,
        e404="Event not found | User not found",
        e409="Already registered for this event | Event is full | Event is not open for registration",
    ),
)
def create(eventId: str, request: Annotated[RegistrationRequest, Body()]) -> Registration:
    return register(eventId, request.userId)


lambda_handler = lambda_entry(app)
