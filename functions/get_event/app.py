"""GET /events/{eventId} - one event, with an ETag for conditional updates."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response

from event_core.edge.api_docs import errors, ok
from event_core.edge.http import json_response, lambda_entry, make_resolver
from event_core.events import etag, get_event
from event_core.models.events import Event

app = make_resolver()


@app.get(
    "/events/<eventId>",
    operation_id="getEvent",
    summary="Get an event (with its ETag)",
    tags=["Events"],
    responses=ok("The event", headers={"ETag": "The event's version"})
    | errors(404, 503, e404="Event not found"),
)
def read(eventId: str) -> Response[Event]:
    stored = get_event(eventId)
    return json_response(HTTPStatus.OK, stored.event, {"ETag": etag(stored)})


lambda_handler = lambda_entry(app)
