"""PUT /events/{eventId}/owner - hand an event over to another organizer (administrators)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.authorization import require_admin
from event_core.edge.api_docs import edit_errors
from event_core.edge.http import lambda_entry, make_resolver
from event_core.edge.update_answers import ANSWERS, updated_response
from event_core.events import update_event
from event_core.models.events import OwnerChange, UpdatedEvent
from event_core.preconditions import IfMatch

app = make_resolver()


@app.put(
    "/events/<eventId>/owner",
    operation_id="transferEvent",
    summary="Hand an event over to another organizer",
    tags=["Events"],
    responses=ANSWERS
    | edit_errors(e403="Forbidden (AuthMode COGNITO): only administrators hand events over"),
)
def transfer(
    eventId: str, request: Annotated[OwnerChange, Body()], ifMatch: IfMatch = None
) -> Response[UpdatedEvent]:
    require_admin(app)
    return updated_response(update_event(eventId, {"ownerId": request.ownerId}, if_match=ifMatch))


lambda_handler = lambda_entry(app)
