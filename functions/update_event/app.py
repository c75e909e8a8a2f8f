"""PUT /events/{eventId} - change event fields; new spots go to the waitlist's head."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.api_docs import edit_errors, ok
from event_core.authorization import require_organizer
from event_core.events import etag, update_event
from event_core.http import json_response, lambda_entry, make_resolver
from event_core.models.events import Event, EventUpdate
from event_core.placement import POLL_AFTER_SECONDS
from event_core.preconditions import IfMatch

app = make_resolver()


@app.put(
    "/events/<eventId>",
    operation_id="updateEvent",
    summary="Update an event; new spots go to the waitlist's head",
    tags=["Events"],
    responses=ok("The updated event", headers={"ETag": "The event's version"})
    | ok(
        "Applied; more spots opened than one write fills: the waitlist's head is being promoted in"
        " the background (GET Location until no spot is free while people wait)",
        202,
        headers={
            "ETag": "The event's version",
            "Location": "The event",
            "Retry-After": "Seconds to wait first",
        },
    )
    | edit_errors(
        400,
        409,
        e400="No fields to update",
        e409="Capacity cannot be lower than the number of registered attendees",
    ),
)
def update(eventId: str, request: Annotated[EventUpdate, Body()], ifMatch: IfMatch = None) -> Response[Event]:
    manager = require_organizer(app)
    stored = update_event(eventId, request.changes(), if_match=ifMatch, manager=manager)
    if stored.promotions_pending:
        location = f"/events/{quote(eventId, safe='')}"
        headers = {"ETag": etag(stored), "Location": location, "Retry-After": str(POLL_AFTER_SECONDS)}
        return json_response(HTTPStatus.ACCEPTED, stored.event, headers)
    return json_response(HTTPStatus.OK, stored.event, {"ETag": etag(stored)})


lambda_handler = lambda_entry(app)
