"""GET /events/{eventId}/registrations - confirmed attendees, then the waitlist in order."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from event_core.attendance import event_registrations
from event_core.http import lambda_entry, make_resolver
from event_core.models.registrations import EventRegistrations

app = make_resolver()


@app.get("/events/<eventId>/registrations")
def list_page(
    eventId: str,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    nextToken: Annotated[str | None, Query()] = None,
) -> EventRegistrations:
    return event_registrations(eventId, limit=limit, next_token=nextToken)


lambda_handler = lambda_entry(app)
