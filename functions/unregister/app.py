"""DELETE /events/{eventId}/registrations/{userId} - leave; the next in line is promoted."""

from __future__ import annotations

from event_core.http import lambda_entry, make_resolver
from event_core.models.registrations import Unregistered
from event_core.registration import unregister

app = make_resolver()


@app.delete("/events/<eventId>/registrations/<userId>")
def leave(eventId: str, userId: str) -> Unregistered:
    return unregister(eventId, userId)


lambda_handler = lambda_entry(app)
