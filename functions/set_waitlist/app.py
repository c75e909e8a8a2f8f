"""PUT /events/{eventId}/waitlist - open or close the waitlist (people waiting keep their place)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.api_docs import edit_errors, ok
from event_core.authorization import require_organizer
from event_core.events import etag, update_event
from event_core.http import json_response, lambda_entry, make_resolver
from event_core.models.events import Event, WaitlistSetting
from event_core.preconditions import IfMatch

app = make_resolver()


@app.put(
    "/events/<eventId>/waitlist",
    operation_id="setWaitlist",
    summary="Enable or disable the waitlist",
    tags=["Events"],
    responses=ok("The event with its new waitlist setting", headers={"ETag": "The event's version"})
    | edit_errors(),
)
def set_waitlist(
    eventId: str, request: Annotated[WaitlistSetting, Body()], ifMatch: IfMatch = None
) -> Response[Event]:
    manager = require_organizer(app)
    changes = {"waitlistEnabled": request.waitlistEnabled}
    stored = update_event(eventId, changes, if_match=ifMatch, manager=manager)
    return json_response(HTTPStatus.OK, stored.event, {"ETag": etag(stored)})


lambda_handler = lambda_entry(app)
