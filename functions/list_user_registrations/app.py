"""GET /users/{userId}/registrations - the events a user holds a place at, with status."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from event_core.attendance import user_registrations
from event_core.authorization import require_self
from event_core.edge.api_docs import errors, ok
from event_core.edge.http import lambda_entry, make_resolver
from event_core.models.registrations import UserRegistrationsPage

app = make_resolver()


@app.get(
    "/users/<userId>/registrations",
    operation_id="listUserRegistrations",
    summary="A user's registrations with status and waitlist position",
    tags=["Registrations"],
    responses=ok("A page of the user's registrations")
    | errors(400, 404, 422, 503, e400="Invalid nextToken", e404="User not found"),
)
def list_page(
    userId: str,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    nextToken: Annotated[str | None, Query()] = None,
) -> UserRegistrationsPage:
    require_self(app, userId)
    return user_registrations(userId, limit=limit, next_token=nextToken)


lambda_handler = lambda_entry(app)
