"""PUT /events/{eventId} - change event fields; new spots go to the waitlist's head."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.authorization import require_organizer
from event_core.edge.api_docs import edit_errors
from event_core.edge.http import lambda_entry, make_resolver
from event_core.edge.update_answers import ANSWERS, updated_response
from event_core.events import update_event
from event_core.models.events import EventUpdate, UpdatedEvent
from event_core.preconditions import IfMatch

app = make_resolver()


@app.put(
    "/events/<eventId>",
    operation_id="updateEvent",
    summary="Update an event; new spots go to the waitlist's head",
    tags=["Events"],
    responses=ANSWERS
    | edit_errors(
        400,
        409,
        e400="No fields to update",
        e409=(
            "Capacity cannot be lower than the number of registered attendees"
            " | Capacity cannot be lower than the spots registered or offered"
        ),
    ),
)
def update(
    eventId: str, request: Annotated[EventUpdate, Body()], ifMatch: IfMatch = None
) -> Response[UpdatedEvent]:
    manager = require_organizer(app)
    return updated_response(update_event(eventId, request.changes(), if_match=ifMatch, manager=manager))


lambda_handler = lambda_entry(app)
