"""POST /users - create a user (409 if the id is taken)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.api_docs import errors
from event_core.http import lambda_entry, make_resolver
from event_core.models.users import User, UserCreate
from event_core.users import create_user

app = make_resolver()


@app.post(
    "/users",
    status_code=201,
    summary="Create a user",
    tags=["Users"],
    responses=errors(409, 413, 422, e409="User already exists"),
)
def create(request: Annotated[UserCreate, Body()]) -> User:
    return create_user(request)


lambda_handler = lambda_entry(app)
