"""OpenAPI descriptions of the error answers, shared by every route's decorator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse


class ErrorBody(BaseModel):
    """Every error except request validation: `{"detail": "<message>"}`."""

    detail: str


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorBody(BaseModel):
    """422: what was wrong with the request, FastAPI-compatible."""

    detail: list[ValidationIssue]


_MEANING = {
    400: "Bad request: no fields to update, or an invalid nextToken",
    404: "Not found",
    409: "Conflict with the current state",
    413: "Request body too large",
    422: "The request failed validation",
    503: "Busy after retries; nothing was written. Retry after `Retry-After` seconds",
}


def errors(*codes: int, **messages: str) -> dict[int, OpenAPIResponse]:
    """Response docs for the given error codes; `messages` names the details, e.g. e404="..."."""
    documented: dict[int, OpenAPIResponse] = {}
    for code in codes:
        model = ValidationErrorBody if code == 422 else ErrorBody
        description = messages.get(f"e{code}", _MEANING[code])
        documented[code] = {
            "description": description,
            "content": {"application/json": {"model": model}},
        }
    return documented
