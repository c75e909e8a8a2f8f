"""GET /events/{eventId}/registrations - confirmed attendees, then the waitlist in order."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from event_core.attendance import event_registrations
from event_core.authorization import require_organizer
from event_core.edge.api_docs import MANAGERS_ONLY, errors, ok
from event_core.edge.http import lambda_entry, make_resolver
from event_core.models.registrations import EventRegistrations

app = make_resolver()


@app.get(
    "/events/<eventId>/registrations",
    operation_id="listEventRegistrations",
    summary="An event's attendees, then its waitlist in order",
    tags=["Registrations"],
    responses=ok("A page of attendees, then of the waitlist")
    | errors(
        400,
        403,
        404,
        422,
        503,
        e400="Invalid nextToken",
        e403=MANAGERS_ONLY,
        e404="Event not found",
    ),
)
def list_page(
    eventId: str,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    nextToken: Annotated[str | None, Query()] = None,
) -> EventRegistrations:
    manager = require_organizer(app)
    return event_registrations(eventId, limit=limit, next_token=nextToken, manager=manager)


lambda_handler = lambda_entry(app)
