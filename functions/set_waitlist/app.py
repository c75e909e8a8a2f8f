"""PUT /events/{eventId}/waitlist - open or close the waitlist (people waiting keep their place)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.api_docs import errors, ok
from event_core.authorization import require_organizer
from event_core.events import etag, update_event
from event_core.http import json_response, lambda_entry, make_resolver
from event_core.models.events import Event, WaitlistSetting
from event_core.preconditions import IfMatch

app = make_resolver()


@app.put(
    "/events/<eventId>/waitlist",
    operation_id="setWaitlist",
    summary="Enable or disable the waitlist",
    tags=["Events"],
    responses=ok("The event with its new waitlist setting", headers={"ETag": "The event's version"})
    | errors(
        404,
        412,
        413,
        415,
        422,
        503,
        e404="Event not found",
        e412="Precondition Failed: the event changed since the ETag sent in If-Match",
    ),
)
def set_waitlist(
    eventId: str, request: Annotated[WaitlistSetting, Body()], ifMatch: IfMatch = None
) -> Response[Event]:
    require_organizer(app)
    stored = update_event(eventId, {"waitlistEnabled": request.waitlistEnabled}, if_match=ifMatch)
    return json_response(HTTPStatus.OK, stored.event, {"ETag": etag(stored)})


lambda_handler = lambda_entry(app)
