"""POST /events - create an event (409 if its id is taken; nothing is overwritten)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.events import create_event
from event_core.http import json_response, lambda_entry, make_resolver
from event_core.models.events import Event, EventCreate

app = make_resolver()


@app.post("/events")
def create(request: Annotated[EventCreate, Body()]) -> Response[Event]:
    return json_response(HTTPStatus.CREATED, create_event(request))


lambda_handler = lambda_entry(app)
