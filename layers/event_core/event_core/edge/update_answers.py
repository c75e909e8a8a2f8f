"""How a change of an event is told over HTTP: 200 with the event and whom it promoted, or 202
Accepted when it opened more spots than it filled, with where to watch the rest being filled.
The three routes that change an event (its fields, its waitlist, its owner) answer this way."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response

from event_core.edge.api_docs import ok
from event_core.edge.http import json_response
from event_core.edge.placement import POLL_AFTER_SECONDS
from event_core.events import Applied, etag
from event_core.models.events import UpdatedEvent

ETAG = {"ETag": "The event's version"}
# The OpenAPI description of both answers, for the routes' `responses`.
ANSWERS = ok("The event as changed, with whom it promoted", headers=ETAG) | ok(
    "Applied; more spots opened than one write fills: the waitlist's head is being promoted in"
    " the background (GET Location until no spot is free while people wait); promotedUserIds"
    " names those promoted so far",
    202,
    headers={**ETAG, "Location": "The event", "Retry-After": "Seconds to wait first"},
)


def updated_response(applied: Applied) -> Response[UpdatedEvent]:
    event = applied.event
    body = UpdatedEvent(
        **event.model_dump(), promotedUserIds=list(applied.promoted), offeredUserIds=list(applied.offered)
    )
    headers = {"ETag": etag(applied.stored)}
    if not applied.promotions_pending:
        return json_response(HTTPStatus.OK, body, headers)
    headers |= {
        "Location": f"/events/{quote(event.eventId, safe='')}",
        "Retry-After": str(POLL_AFTER_SECONDS),
    }
    return json_response(HTTPStatus.ACCEPTED, body, headers)
