"""POST /events/{eventId}/registrations/{userId}/decline - give up the spot offered; the next in
line is offered it (offer mode)."""

from __future__ import annotations

from event_core.authorization import require_self
from event_core.edge.api_docs import offer_answer_errors, ok
from event_core.edge.http import lambda_entry, make_resolver
from event_core.models.registrations import Unregistration
from event_core.offers import decline_offer

app = make_resolver()


@app.post(
    "/events/<eventId>/registrations/<userId>/decline",
    operation_id="declineOffer",
    summary="Decline the spot offered to you; it is offered to the next in line",
    tags=["Registrations"],
    responses=ok("Declined: you left the event; offeredUserId (or promotedUserId) took the spot, if anyone")
    | offer_answer_errors(),
)
def decline(eventId: str, userId: str) -> Unregistration:
    require_self(app, userId)
    return decline_offer(eventId, userId)


lambda_handler = lambda_entry(app)
