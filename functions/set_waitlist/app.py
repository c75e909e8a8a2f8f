"""PUT /events/{eventId}/waitlist - open or close the waitlist (people waiting keep their place)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.events import etag, update_event
from event_core.http import json_response, lambda_entry, make_resolver
from event_core.models.events import Event, WaitlistSetting

app = make_resolver()


@app.put("/events/<eventId>/waitlist")
def set_waitlist(eventId: str, request: Annotated[WaitlistSetting, Body()]) -> Response[Event]:
    stored = update_event(eventId, {"waitlistEnabled": request.waitlistEnabled})
    return json_response(HTTPStatus.OK, stored.event, {"ETag": etag(stored)})


lambda_handler = lambda_entry(app)
