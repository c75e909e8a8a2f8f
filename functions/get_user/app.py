"""GET /users/{userId} - one user."""

from __future__ import annotations

from event_core.authorization import require_self
from event_core.edge.api_docs import errors, ok
from event_core.edge.http import lambda_entry, make_resolver
from event_core.models.users import User
from event_core.users import get_user

app = make_resolver()


@app.get(
    "/users/<userId>",
    operation_id="getUser",
    summary="Get a user",
    tags=["Users"],
    responses=ok("The user") | errors(404, 503, e404="User not found"),
)
def read(userId: str) -> User:
    require_self(app, userId)
    return get_user(userId)


lambda_handler = lambda_entry(app)
