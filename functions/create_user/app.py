"""POST /users - create a user (409 if the id is taken)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from event_core.http import json_response, lambda_entry, make_resolver
from event_core.models.users import User, UserCreate
from event_core.users import create_user

app = make_resolver()


@app.post("/users")
def create(request: Annotated[UserCreate, Body()]) -> Response[User]:
    return json_response(HTTPStatus.CREATED, create_user(request))


lambda_handler = lambda_entry(app)
