"""GET /events - a page of events by date: optionally of one status, of one organizer, in a range."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from event_core.edge.api_docs import errors, ok
from event_core.edge.http import lambda_entry, make_resolver
from event_core.event_listing import list_events
from event_core.models.events import EventPage, EventStatus
from event_core.models.fields import DateBound, Organizer

app = make_resolver()

_BOUND = (
    "An RFC 3339 date or date-time with seconds and an offset, read as an event's date is (a date:"
    " the start of that day in UTC)."
)


@app.get(
    "/events",
    operation_id="listEvents",
    summary="List events by date, optionally by status, organizer and date range",
    tags=["Events"],
    responses=ok("A page of events, earliest first; nextToken fetches the next one")
    | errors(400, 422, 503, e400="Invalid nextToken"),
)
def list_page(
    status: Annotated[EventStatus | None, Query(description="Only events of this status")] = None,
    since: Annotated[
        DateBound | None,
        Query(
            alias="from",
            description=f"Only events at or after this instant (inclusive). {_BOUND}",
            examples=["2027-05-01", "2027-05-14T00:00:00-04:00"],
        ),
    ] = None,
    until: Annotated[
        DateBound | None,
        Query(
            alias="to",
            description=(
                f"Only events before this instant (exclusive: from=2027-05-14&to=2027-05-15 is one"
                f" UTC day). {_BOUND} Must not be before `from` (422)."
            ),
            examples=["2027-06-01", "2027-05-15T00:00:00Z"],
        ),
    ] = None,
    organizer: Annotated[
        Organizer | None,
        Query(
            description="Only events whose `organizer` is exactly this (case and spaces count)",
            examples=["PSF"],
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many events a page")] = 100,
    nextToken: Annotated[
        str | None, Query(description="The previous page's nextToken, with the same other parameters")
    ] = None,
) -> EventPage:
    return list_events(
        status=status, limit=limit, next_token=nextToken, since=since, until=until, organizer=organizer
    )


lambda_handler = lambda_entry(app)
