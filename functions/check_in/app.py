"""PUT /events/{eventId}/registrations/{userId}/check-in - check a registered attendee in."""

from __future__ import annotations

from event_core.authorization import require_organizer
from event_core.check_in import check_in
from event_core.edge.api_docs import MANAGERS_ONLY, errors, ok
from event_core.edge.http import lambda_entry, make_resolver
from event_core.models.registrations import Registration

app = make_resolver()


@app.put(
    "/events/<eventId>/registrations/<userId>/check-in",
    operation_id="checkIn",
    summary="Check a registered attendee in at the door (idempotent)",
    tags=["Registrations"],
    responses=ok("Checked in: the registration with checkedInAt (the first check-in's, if done before)")
    | errors(
        403,
        404,
        409,
        503,
        e403=MANAGERS_ONLY,
        e404="Event not found | Not registered for this event",
        e409=(
            "Only registered attendees can be checked in | Check-in is open from <start - 24 h> to"
            " <start + 24 h> | Check-in is closed: the event is cancelled"
        ),
    ),
)
def check_in_attendee(eventId: str, userId: str) -> Registration:
    manager = require_organizer(app)
    return check_in(eventId, userId, manager=manager)


lambda_handler = lambda_entry(app)
