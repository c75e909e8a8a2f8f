"""How a registration's answer is told over HTTP: 201 with the place it got, or 202 Accepted while
it waits in the event's admission queue, with where to ask again."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response

from event_core.edge.http import json_response
from event_core.models.registrations import Registration, RegistrationPending

POLL_AFTER_SECONDS = 1


def pending_location(pending: RegistrationPending) -> str:
    event, user = quote(pending.eventId, safe=""), quote(pending.userId, safe="")
    return f"/events/{event}/registrations/{user}?request={pending.requestId}"


def placement_response(
    placed: Registration | RegistrationPending, *, placed_status: HTTPStatus = HTTPStatus.CREATED
) -> Response[Registration | RegistrationPending]:
    if isinstance(placed, RegistrationPending):
        headers = {"Location": pending_location(placed), "Retry-After": str(POLL_AFTER_SECONDS)}
        return json_response(HTTPStatus.ACCEPTED, placed, headers)
    return json_response(placed_status, placed)
