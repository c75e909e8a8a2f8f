"""PUT /events/{eventId}/waitlist - open or close the waitlist (people waiting keep their place)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.api_docs import errors
from event_core.events import etag, update_event
from event_core.http import json_response, lambda_entry, make_resolver
from event_core.models.events import Event, WaitlistSetting

app = make_resolver()


@app.put(
    "/events/<eventId>/waitlist",
    summary="Enable or disable the waitlist",
    tags=["Events"],
    responses=errors(404, 413, 422, 503, e404="Event not found"),
)
def set_waitlist(eventId: str, request: Annotated[WaitlistSetting, Body()]) -> Response[Event]:
    stored = update_event(eventId, {"waitlistEnabled": request.waitlistEnabled})
    return json_response(HTTPStatus.OK, stored.event, {"ETag": etag(stored)})


lambda_handler = lambda_entry(app)
