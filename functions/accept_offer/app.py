"""POST /events/{eventId}/registrations/{userId}/accept - take the spot offered (offer mode)."""

from __future__ import annotations

from event_core.authorization import require_self
from event_core.edge.api_docs import offer_answer_errors, ok
from event_core.edge.http import lambda_entry, make_resolver
from event_core.errors import EventNotOpen
from event_core.models.registrations import Registration
from event_core.offers import accept_offer

app = make_resolver()


@app.post(
    "/events/<eventId>/registrations/<userId>/accept",
    operation_id="acceptOffer",
    summary="Accept the spot offered to you, before the offer expires",
    tags=["Registrations"],
    responses=ok("Registered: the spot is yours (also when accepted before)")
    | offer_answer_errors(EventNotOpen),
)
def accept(eventId: str, userId: str) -> Registration:
    require_self(app, userId)
    return accept_offer(eventId, userId)


lambda_handler = lambda_entry(app)
