"""POST /events - create an event (409 if its id is taken; nothing is overwritten)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.api_docs import errors
from event_core.events import create_event
from event_core.http import lambda_entry, make_resolver
from event_core.models.events import Event, EventCreate

app = make_resolver()


@app.post(
    "/events",
    status_code=201,
    summary="Create an event",
    tags=["Events"],
    responses=errors(409, 413, 422, e409="Event already exists"),
)
def create(request: Annotated[EventCreate, Body()]) -> Event:
    return create_event(request)


lambda_handler = lambda_entry(app)
