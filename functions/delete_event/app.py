"""DELETE /events/{eventId} - delete an event and all its registrations."""

from __future__ import annotations

from event_core.api_docs import errors
from event_core.events import delete_event
from event_core.http import lambda_entry, make_resolver
from event_core.models.events import EventDeleted

app = make_resolver()


@app.delete(
    "/events/<eventId>",
    summary="Delete an event and its registrations",
    tags=["Events"],
    responses=errors(404, e404="Event not found"),
)
def delete(eventId: str) -> EventDeleted:
    return delete_event(eventId)


lambda_handler = lambda_entry(app)
