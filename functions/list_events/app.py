"""GET /events - a page of events, optionally only those with one status."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from event_core.edge.api_docs import errors, ok
from event_core.edge.http import lambda_entry, make_resolver
from event_core.event_listing import list_events
from event_core.models.events import EventPage, EventStatus

app = make_resolver()


@app.get(
    "/events",
    operation_id="listEvents",
    summary="List events, optionally by status",
    tags=["Events"],
    responses=ok("A page of events; nextToken fetches the next one")
    | errors(400, 422, 503, e400="Invalid nextToken"),
)
def list_page(
    status: Annotated[EventStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    nextToken: Annotated[str | None, Query()] = None,
) -> EventPage:
    return list_events(status=status, limit=limit, next_token=nextToken)


lambda_handler = lambda_entry(app)
