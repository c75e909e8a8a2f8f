"""PUT /events/{eventId} - change event fields; new spots go to the waitlist's head."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.api_docs import errors
from event_core.events import etag, update_event
from event_core.http import json_response, lambda_entry, make_resolver
from event_core.models.events import Event, EventUpdate

app = make_resolver()


@app.put(
    "/events/<eventId>",
    summary="Update an event; new spots go to the waitlist's head",
    tags=["Events"],
    responses=errors(
        400,
        404,
        409,
        413,
        422,
        503,
        e400="No fields to update",
        e404="Event not found",
        e409="Capacity cannot be lower than the number of registered attendees",
    ),
)
def update(eventId: str, request: Annotated[EventUpdate, Body()]) -> Response[Event]:
    stored = update_event(eventId, request.changes())
    return json_response(HTTPStatus.OK, stored.event, {"ETag": etag(stored)})


lambda_handler = lambda_entry(app)
