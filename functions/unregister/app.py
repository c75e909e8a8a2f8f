"""DELETE /events/{eventId}/registrations/{userId} - leave; the next in line is promoted."""

from __future__ import annotations

from event_core.authorization import require_self
from event_core.edge.api_docs import errors, ok
from event_core.edge.http import lambda_entry, make_resolver
from event_core.models.registrations import Unregistration
from event_core.registration import unregister

app = make_resolver()


@app.delete(
    "/events/<eventId>/registrations/<userId>",
    operation_id="unregister",
    summary="Unregister; the first person waiting is promoted",
    tags=["Registrations"],
    responses=ok("Unregistered; promotedUserId took the freed spot, if anyone")
    | errors(
        404,
        409,
        503,
        e404="Not registered for this event | Event not found",
        e409="Checked-in attendees cannot unregister",
    ),
)
def leave(eventId: str, userId: str) -> Unregistration:
    require_self(app, userId)
    return unregister(eventId, userId)


lambda_handler = lambda_entry(app)
