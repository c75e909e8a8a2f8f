"""DELETE /events/{eventId} - delete an event and all its registrations."""

from __future__ import annotations

from event_core.api_docs import errors, ok
from event_core.authorization import require_organizer
from event_core.events import delete_event
from event_core.http import lambda_entry, make_resolver
from event_core.models.events import EventDeleted

app = make_resolver()


@app.delete(
    "/events/<eventId>",
    operation_id="deleteEvent",
    summary="Delete an event and its registrations",
    tags=["Events"],
    responses=ok("The event and its registrations are deleted")
    | errors(
        404,
        503,
        e404="Event not found",
        e503="DynamoDB stayed busy or throttled; retry after `Retry-After` seconds",
    ),
)
def delete(eventId: str) -> EventDeleted:
    require_organizer(app)
    return delete_event(eventId)


lambda_handler = lambda_entry(app)
