"""POST /events/{eventId}/registrations - take a spot, or join the waitlist when full."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.http import json_response, lambda_entry, make_resolver
from event_core.models.registrations import Registration, RegistrationRequest
from event_core.registration import register

app = make_resolver()


@app.post("/events/<eventId>/registrations")
def create(eventId: str, request: Annotated[RegistrationRequest, Body()]) -> Response[Registration]:
    registration = register(eventId, request.userId)
    return json_response(HTTPStatus.CREATED, registration)


lambda_handler = lambda_entry(app)
