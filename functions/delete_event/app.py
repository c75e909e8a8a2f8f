"""DELETE /events/{eventId} - delete an event and all its registrations."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response

from event_core.authorization import require_organizer
from event_core.edge.api_docs import MANAGERS_ONLY, errors, ok
from event_core.edge.http import json_response, lambda_entry, make_resolver
from event_core.edge.placement import POLL_AFTER_SECONDS
from event_core.events import delete_event
from event_core.models.events import EventDeletion

app = make_resolver()


@app.delete(
    "/events/<eventId>",
    operation_id="deleteEvent",
    summary="Delete an event and its registrations",
    tags=["Events"],
    responses=ok("The event and its registrations are deleted")
    | ok(
        "The event is deleted (every read answers 404); its registrations are being removed in the"
        " background, and its id is free again once they are (GET Location: 404 until re-created)",
        202,
        headers={"Location": "The event", "Retry-After": "Seconds to wait first"},
    )
    | errors(
        403,
        404,
        503,
        e403=MANAGERS_ONLY,
        e404="Event not found",
        e503="DynamoDB stayed busy or throttled; retry after `Retry-After` seconds",
    ),
)
def delete(eventId: str) -> Response[EventDeletion]:
    deleted = delete_event(eventId, manager=require_organizer(app))
    if deleted.purging:
        headers = {"Location": f"/events/{quote(eventId, safe='')}", "Retry-After": str(POLL_AFTER_SECONDS)}
        return json_response(HTTPStatus.ACCEPTED, deleted, headers)
    return json_response(HTTPStatus.OK, deleted)


lambda_handler = lambda_entry(app)
