"""Answers in Lambda's proxy shape, for the HTTP edge: the error body every route answers with, and
errors answered before or outside the resolver (oversized, not JSON, idempotency) with the same
shape and CORS rules. Imported by the resolver (`http`) and by `idempotency`, neither of which it
imports.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from event_core.observability import logger
from event_core.settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

LambdaHandler = Callable[[dict[str, Any], "LambdaContext"], dict[str, Any]]
JSON = "application/json"


def error_body(status: HTTPStatus, detail: object) -> str:
    """`{"detail": ...}`; a 5xx also names the request (API Gateway's request id, the logs'
    correlation id) so that support can find the details, which only the logs hold."""
    body: dict[str, object] = {"detail": detail}
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR and (request_id := logger.get_correlation_id()):
        body["requestId"] = request_id
    return json.dumps(body)


def allowed_origin(event: dict[str, Any]) -> str | None:
    """Access-Control-Allow-Origin for this request's Origin, or None if it is not allowed."""
    request_headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    origin = request_headers.get("origin")
    origins = get_settings().allowed_origins
    if origin and ("*" in origins or origin in origins):
        return "*" if "*" in origins else origin
    return None


def edge_response(
    event: dict[str, Any], status: HTTPStatus, detail: object, extra_headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """An error answered outside the resolver, with the same body shape and CORS rules."""
    headers = {"Content-Type": JSON, **(extra_headers or {})}
    if origin := allowed_origin(event):
        headers["Access-Control-Allow-Origin"] = origin
    return {"statusCode": int(status), "headers": headers, "body": error_body(status, detail)}
