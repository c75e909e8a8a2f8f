"""POST /events - create an event (409 if its id is taken; nothing is overwritten)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.authorization import require_organizer
from event_core.edge.api_docs import errors, ok
from event_core.edge.http import lambda_entry, make_resolver
from event_core.edge.idempotency import IdempotencyKey
from event_core.events import create_event
from event_core.models.events import Event, EventCreate

app = make_resolver()


@app.post(
    "/events",
    status_code=201,
    operation_id="createEvent",
    summary="Create an event",
    tags=["Events"],
    responses=ok("The created event", 201)
    | errors(
        409,
        413,
        415,
        422,
        503,
        e409="Event already exists | A request with this Idempotency-Key is still in progress",
    ),
)
def create(request: Annotated[EventCreate, Body()], idempotencyKey: IdempotencyKey = None) -> Event:
    return create_event(request, manager=require_organizer(app))


lambda_handler = lambda_entry(app, idempotent=True)
