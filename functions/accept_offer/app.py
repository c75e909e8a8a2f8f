"""POST /events/{eventId}/registrations/{userId}/accept - take the spot offered (offer mode)."""

from __future__ import annotations

from event_core.authorization import require_self
from event_core.edge.api_docs import errors, ok
from event_core.edge.http import lambda_entry, make_resolver
from event_core.models.registrations import Registration
from event_core.offers import accept_offer

app = make_resolver()


@app.post(
    "/events/<eventId>/registrations/<userId>/accept",
    operation_id="acceptOffer",
    summary="Accept the spot offered to you, before the offer expires",
    tags=["Registrations"],
    responses=ok("Registered: the spot is yours (also when accepted before)")
    | errors(
        404,
        409,
        503,
        e404="Not registered for this event | Event not found",
        e409=(
            "No offer to answer: no spot is offered to this person at this event"
            " | The offer has expired: the spot is offered to the next in line"
            " | Event is not open for registration"
        ),
    ),
)
def accept(eventId: str, userId: str) -> Registration:
    require_self(app, userId)
    return accept_offer(eventId, userId)


lambda_handler = lambda_entry(app)
