"""PUT /events/{eventId}/waitlist - the waitlist's settings: open or close it (people waiting keep
their place), its mode (auto or offer) and the offers' hold."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.authorization import require_organizer
from event_core.edge.api_docs import edit_errors
from event_core.edge.http import lambda_entry, make_resolver
from event_core.edge.update_answers import ANSWERS, updated_response
from event_core.events import update_event
from event_core.models.events import UpdatedEvent, WaitlistSetting
from event_core.preconditions import IfMatch

app = make_resolver()


@app.put(
    "/events/<eventId>/waitlist",
    operation_id="setWaitlist",
    summary="Enable or disable the waitlist, set its mode (auto or offer) and the offers' hold",
    tags=["Events"],
    responses=ANSWERS | edit_errors(),
)
def set_waitlist(
    eventId: str, request: Annotated[WaitlistSetting, Body()], ifMatch: IfMatch = None
) -> Response[UpdatedEvent]:
    manager = require_organizer(app)
    return updated_response(update_event(eventId, request.changes(), if_match=ifMatch, manager=manager))


lambda_handler = lambda_entry(app)
