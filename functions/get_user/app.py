"""GET /users/{userId} - one user."""

from __future__ import annotations

from event_core.api_docs import errors
from event_core.http import lambda_entry, make_resolver
from event_core.models.users import User
from event_core.users import get_user

app = make_resolver()


@app.get(
    "/users/<userId>",
    summary="Get a user",
    tags=["Users"],
    responses=errors(404, e404="User not found"),
)
def read(userId: str) -> User:
    return get_user(userId)


lambda_handler = lambda_entry(app)
