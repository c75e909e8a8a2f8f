"""OpenAPI descriptions of the error answers, shared by every route's decorator, and the
security scheme each AuthMode adds to the served document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from event_core import errors as domain_errors
from event_core.edge.http import MAX_LISTED_ERRORS

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.types import (
        OpenAPIResponse,
        OpenAPIResponseContentModel,
        OpenAPIResponseHeader,
    )


_CAPACITY_NOT_INTEGER: dict[str, Any] = {
    "loc": ["body", "capacity"],
    "msg": "Input should be a valid integer",
    "type": "int_type",
}


class ErrorBody(BaseModel):
    """Every error except request validation: `{"detail": "<message>"}`."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"detail": "Already registered for this event"}]}
    )

    detail: str = Field(description="What went wrong, for people (clients branch on the status code)")


class ValidationIssue(BaseModel):
    """One thing wrong with the request."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CAPACITY_NOT_INTEGER]})

    loc: list[str | int] = Field(
        description="Where: the request part (body, query, path, header), then the field's path in it"
    )
    msg: str = Field(description="What is wrong, for people")
    type: str = Field(description="pydantic's error type, e.g. missing, int_type, string_pattern_mismatch")


class ValidationErrorBody(BaseModel):
    """422: what was wrong with the request, FastAPI-compatible. At most 20 issues are listed;
    if there were more, a last one of type `too_many_errors` counts the others."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"detail": [_CAPACITY_NOT_INTEGER]}]})

    detail: Annotated[
        list[ValidationIssue],
        Field(
            min_length=1,
            max_length=MAX_LISTED_ERRORS + 1,
            description="The problems found, at most 20, then one of type too_many_errors counting the rest",
        ),
    ]


_MEANING = {
    400: "Bad request: no fields to update, or an invalid nextToken",
    403: "Forbidden (AuthMode COGNITO): this caller may not do this",
    404: "Not found",
    409: "Conflict with the current state",
    412: "Precondition Failed: the event changed since the ETag sent in If-Match; nothing was written",
    413: "Request body too large",
    415: "Unsupported Media Type: the body must be declared `application/json` (UTF-8)",
    422: "The request failed validation",
    500: "Internal server error",
    503: "Busy after retries; nothing was written. Retry after `Retry-After` seconds",
}


# The 403 of the routes that manage one event.
MANAGERS_ONLY = (
    "Forbidden (AuthMode COGNITO): not an organizer, or another organizer's event (only its owner"
    " and administrators manage it)"
)

_RETRY_AFTER: dict[str, OpenAPIResponseHeader] = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
}


def ok(
    description: str, status: int = 200, headers: Mapping[str, str] | None = None
) -> dict[int, OpenAPIResponse]:
    """The success answer: its body schema is the route's return type; `headers` name -> meaning.

    Powertools documents the success answer by itself only for routes without `responses`, so
    routes that list their errors add it: `responses=ok("The event") | errors(404)`.
    """
    answer: OpenAPIResponse = {"description": description}
    if headers:
        answer["headers"] = {
            name: {"description": meaning, "schema": {"type": "string"}} for name, meaning in headers.items()
        }
    return {status: answer}


def errors(*codes: int, **messages: str) -> dict[int, OpenAPIResponse]:
    """Response docs for the given error codes; `messages` names the details, e.g. e404="...".

    422 and 500 are always included: any route can answer them. With validation on, Powertools
    documents a 422 for every route; this gives it the shape the API answers
    (`ValidationErrorBody`, also for unknown query parameters).
    """
    documented: dict[int, OpenAPIResponse] = {}
    for code in sorted({*codes, 422, 500}):
        model = ValidationErrorBody if code == 422 else ErrorBody
        description = messages.get(f"e{code}", _MEANING[code])
        documented[code] = {
            "description": description,
            "content": {"application/json": _error_content(model, description)},
        }
        if code == 503:
            documented[code]["headers"] = _RETRY_AFTER
    return documented


def _domain_messages(error: type[domain_errors.DomainError]) -> set[str]:
    return {error.message}.union(*(_domain_messages(sub) for sub in error.__subclasses__()))


def _error_content(model: type[BaseModel], description: str) -> OpenAPIResponseContentModel:
    """The error body, with an example for each detail the description names ("Event not found |
    User not found"): otherwise Swagger UI shows ErrorBody's own example under every code."""
    content: OpenAPIResponseContentModel = {"model": model}
    known = _domain_messages(domain_errors.DomainError)
    details = [detail for detail in description.split(" | ") if detail in known]
    if details:
        content["examples"] = {detail: {"value": {"detail": detail}} for detail in details}
    return content


def edit_errors(*codes: int, **messages: str) -> dict[int, OpenAPIResponse]:
    """`errors` of a route that edits one event under If-Match (403, 404, 412, 413, 415 and 503
    included); `messages` as for `errors`, overriding these defaults."""
    defaults = {
        "e403": MANAGERS_ONLY,
        "e404": "Event not found",
        "e412": "Precondition Failed: the event changed since the ETag sent in If-Match",
    }
    return errors(*codes, 403, 404, 412, 413, 415, 503, **(defaults | messages))


def offer_answer_errors(*refusals: type[domain_errors.Conflict]) -> dict[int, OpenAPIResponse]:
    """`errors` of a route that answers an offer (accept, decline): no such person or event, no
    offer or one expired, and the route's own `refusals`."""
    conflicts: tuple[type[domain_errors.Conflict], ...] = (
        domain_errors.NoOffer,
        domain_errors.OfferExpired,
        *refusals,
    )
    return errors(
        404,
        409,
        503,
        e404=f"{domain_errors.NotRegistered.message} | {domain_errors.EventNotFound.message}",
        e409=" | ".join(conflict.message for conflict in conflicts),
    )


# What callers must send in each AuthMode but NONE, as OpenAPI security schemes named as in
# template.yaml's securityDefinitions. COGNITO is an apiKey in Authorization, not http bearer:
# API Gateway's Cognito authorizer is documented to read the ID token itself as the header's
# value, which is what Swagger UI sends for an apiKey; for bearer it would send "Bearer <token>".
# Swagger UI cannot sign a request with SigV4: the IAM scheme says so, and marks what is guarded.
SECURITY_SCHEMES: dict[str, dict[str, dict[str, Any]]] = {
    "API_KEY": {
        "api_key": {
            "type": "apiKey",
            "in": "header",
            "name": "x-api-key",
            "description": "AuthMode API_KEY: the stack's API key (output ClientApiKeyId), within its plan",
        }
    },
    "COGNITO": {
        "CognitoAuthorizer": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "AuthMode COGNITO: a current ID token (not the access token) of the stack's Cognito user"
                " pool, as it is: no `Bearer ` prefix. The caller is the token's `sub`"
            ),
        }
    },
    "IAM": {
        "AWS_IAM": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "x-amazon-apigateway-authtype": "awsSigv4",
            "description": (
                "AuthMode IAM: requests signed with AWS Signature Version 4 by a principal allowed"
                " execute-api:Invoke on the route. Swagger UI cannot sign requests, so its Try it out"
                " is refused (403) here: call the API with an AWS SDK or awscurl"
            ),
        }
    },
}


def secured(document: dict[str, Any], auth_mode: str) -> dict[str, Any]:
    """`document` as the API deployed with `auth_mode` guards it: that mode's security scheme is
    required by every operation but those marked open (`security: []`); NONE changes nothing."""
    schemes = SECURITY_SCHEMES.get(auth_mode)
    if not schemes:
        return document
    components = {**document.get("components", {}), "securitySchemes": schemes}
    return {**document, "components": components, "security": [{name: []} for name in schemes]}
