"""POST /users - create a user (409 if the id is taken)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.authorization import require_self
from event_core.edge.api_docs import errors, ok
from event_core.edge.http import lambda_entry, make_resolver
from event_core.edge.idempotency import IdempotencyKey
from event_core.models.users import User, UserCreate
from event_core.users import create_user

app = make_resolver()


@app.post(
    "/users",
    status_code=201,
    operation_id="createUser",
    summary="Create a user",
    tags=["Users"],
    responses=ok("The created user", 201)
    | errors(
        409,
        413,
        415,
        422,
        503,
        e409="User already exists | A request with this Idempotency-Key is still in progress",
    ),
)
def create(request: Annotated[UserCreate, Body()], idempotencyKey: IdempotencyKey = None) -> User:
    require_self(app, request.userId)
    return create_user(request)


lambda_handler = lambda_entry(app, idempotent=True)
