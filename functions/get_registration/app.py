"""GET /events/{eventId}/registrations/{userId} - one person's place, or their queued request."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from event_core.authorization import require_self
from event_core.edge.api_docs import errors, ok
from event_core.edge.http import lambda_entry, make_resolver
from event_core.edge.placement import placement_response
from event_core.models.fields import RequestId
from event_core.models.registrations import Registration, RegistrationPending
from event_core.registration import registration_status

app = make_resolver()


@app.get(
    "/events/<eventId>/registrations/<userId>",
    operation_id="getRegistration",
    summary="A person's registration, or the answer to their queued registration request",
    tags=["Registrations"],
    responses=ok("Registered, or waitlisted with a waitlistPosition")
    | ok(
        "The request (?request=) is still in the admission queue",
        202,
        headers={"Location": "Where to ask again", "Retry-After": "Seconds to wait first"},
    )
    | errors(
        404,
        409,
        503,
        e404="Not registered for this event | Event not found",
        e409="The queued request was refused: Event is full | Event is not open for registration"
        " | Already registered for this event | Registration is not open yet | Registration is closed",
    ),
)
def read(
    eventId: str, userId: str, request: Annotated[RequestId | None, Query()] = None
) -> Response[Registration | RegistrationPending]:
    require_self(app, userId)
    return placement_response(registration_status(eventId, userId, request), placed_status=HTTPStatus.OK)


lambda_handler = lambda_entry(app)
