"""POST /events/{eventId}/registrations - take a spot, or join the waitlist when full."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.authorization import require_self
from event_core.edge.api_docs import errors, ok
from event_core.edge.http import lambda_entry, make_resolver
from event_core.edge.idempotency import IdempotencyKey
from event_core.edge.placement import placement_response
from event_core.models.registrations import Registration, RegistrationPending, RegistrationRequest
from event_core.registration import register

app = make_resolver()


@app.post(
    "/events/<eventId>/registrations",
    status_code=201,
    operation_id="register",
    summary="Register for an event, or join its waitlist when full",
    tags=["Registrations"],
    responses=ok("Registered, or waitlisted with a waitlistPosition", 201)
    | ok(
        "Still in the event's admission queue (many people registering at once): poll Location",
        202,
        headers={"Location": "Where to ask for the answer", "Retry-After": "Seconds to wait first"},
    )
    | errors(
        404,
        409,
        413,
        415,
        422,
        503,
        e404="Event not found | User not found",
        e409=(
            "Already registered for this event | Event is full | Event is not open for registration"
            " | Registration opens at <instant> | Registration closed at <instant>"
            " | A request with this Idempotency-Key is still in progress"
        ),
    ),
)
def create(
    eventId: str, request: Annotated[RegistrationRequest, Body()], idempotencyKey: IdempotencyKey = None
) -> Response[Registration | RegistrationPending]:
    require_self(app, request.userId)
    return placement_response(register(eventId, request.userId))


lambda_handler = lambda_entry(app, idempotent=True)
