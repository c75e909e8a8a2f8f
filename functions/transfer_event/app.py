"""PUT /events/{eventId}/owner - hand an event over to another organizer (administrators)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.api_docs import edit_errors, ok
from event_core.authorization import require_admin
from event_core.events import etag, update_event
from event_core.http import json_response, lambda_entry, make_resolver
from event_core.models.events import Event, OwnerChange
from event_core.preconditions import IfMatch

app = make_resolver()


@app.put(
    "/events/<eventId>/owner",
    operation_id="transferEvent",
    summary="Hand an event over to another organizer",
    tags=["Events"],
    responses=ok("The event with its new owner", headers={"ETag": "The event's version"})
    | edit_errors(e403="Forbidden (AuthMode COGNITO): only administrators hand events over"),
)
def transfer(
    eventId: str, request: Annotated[OwnerChange, Body()], ifMatch: IfMatch = None
) -> Response[Event]:
    require_admin(app)
    stored = update_event(eventId, {"ownerId": request.ownerId}, if_match=ifMatch)
    return json_response(HTTPStatus.OK, stored.event, {"ETag": etag(stored)})


lambda_handler = lambda_entry(app)
