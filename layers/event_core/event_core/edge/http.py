"""The HTTP edge shared by every function: resolver factory, error mapping, Lambda entry point.

Errors map to HTTP here and only here, so every function answers the same JSON error shape:
`{"detail": "<message>"}`, or for request validation a FastAPI-compatible 422 with
`{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` (at most 20 of them, and a last one
`"type": "too_many_errors"` counting the rest). A 5xx body never holds internals;
it adds the request id (`"requestId"`) under which the logs have the details.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import (
    APIGatewayRestResolver,
    CORSConfig,
    Response,
    content_types,
)
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from event_core import errors
from event_core.edge.head_requests import as_get, is_head, without_body
from event_core.edge.proxy_responses import LambdaHandler, edge_response, error_body
from event_core.edge.request_guards import (
    declared_not_json,
    parse_json_body,
    reject_unknown_query_parameters,
    with_json_content_type,
)
from event_core.observability import logger, metrics, tracer
from event_core.settings import get_settings

T = TypeVar("T")

_STATUS_BY_ERROR: tuple[tuple[type[errors.DomainError], HTTPStatus], ...] = (
    (errors.NotFound, HTTPStatus.NOT_FOUND),
    (errors.Conflict, HTTPStatus.CONFLICT),
    (errors.BadRequest, HTTPStatus.BAD_REQUEST),
    (errors.Busy, HTTPStatus.SERVICE_UNAVAILABLE),
    (errors.PreconditionFailed, HTTPStatus.PRECONDITION_FAILED),
    (errors.Forbidden, HTTPStatus.FORBIDDEN),
    (errors.InvalidField, HTTPStatus.UNPROCESSABLE_ENTITY),
)
UNSUPPORTED_MEDIA_TYPE = "Unsupported Media Type: send application/json"
MAX_LISTED_ERRORS = 20
MAX_ECHOED_CHARACTERS = 200
_ALLOWED_HEADERS = ["Content-Type", "Authorization", "Idempotency-Key", "If-Match", "X-Api-Key"]


def error_response(status: HTTPStatus, detail: object, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=error_body(status, detail),
        headers=headers,
    )


def json_response(status: HTTPStatus, body: T, headers: dict[str, str] | None = None) -> Response[T]:
    """A JSON response; the route's `Response[Model]` annotation validates and serializes body."""
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers
    )


def status_of(error: errors.DomainError) -> HTTPStatus:
    """The HTTP status a domain error answers with (400 for any kind the table does not name)."""
    return next(
        (status for kind, status in _STATUS_BY_ERROR if isinstance(error, kind)), HTTPStatus.BAD_REQUEST
    )


def _domain_error(error: errors.DomainError) -> Response:
    if isinstance(error, errors.InvalidField):  # answered like the request validation it is
        problem = {"loc": ["body", error.field], "msg": error.detail, "type": "value_error"}
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, [problem])
    status = status_of(error)
    headers = {"Retry-After": "1"} if status == HTTPStatus.SERVICE_UNAVAILABLE else None
    return error_response(status, error.detail, headers)


def _clipped(text: str) -> str:
    if len(text) <= MAX_ECHOED_CHARACTERS:
        return text
    return text[:MAX_ECHOED_CHARACTERS] + "…"


def _validation_error(error: RequestValidationError) -> Response:
    """422 listing the first MAX_LISTED_ERRORS problems, each string in it (a `loc` may echo a
    query parameter's name) clipped, then one entry counting the ones not listed: the answer
    stays a few KB however many problems a request has (3,000 unknown query parameters were a
    269 KB body)."""
    problems = error.errors()
    detail: list[dict[str, object]] = [
        {
            "loc": [_clipped(part) if isinstance(part, str) else part for part in e.get("loc", ())],
            "msg": _clipped(str(e.get("msg", ""))),
            "type": _clipped(str(e.get("type", ""))),
        }
        for e in problems[:MAX_LISTED_ERRORS]
    ]
    if (omitted := len(problems) - MAX_LISTED_ERRORS) > 0:
        detail.append(
            {"loc": ["request"], "msg": f"{omitted} more errors not listed", "type": "too_many_errors"}
        )
    return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, detail)


def _invalid_query(error: errors.InvalidQuery) -> Response:
    """422 in the shape of request validation's, for parameters that do not go together."""
    problem = {"loc": ["query", error.parameter], "msg": error.detail, "type": "value_error"}
    return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, [problem])


def _no_route(error: NotFoundError) -> Response:
    return error_response(HTTPStatus.NOT_FOUND, "Not found")


def _unexpected_error(error: Exception) -> Response:
    # Lazy: only a request that failed pays for the import (health and api_info never touch it).
    from event_core.store.retry import is_transient

    if is_transient(error):  # DynamoDB still throttled or unreachable after the client's retries
        logger.warning("Transient DynamoDB error", extra={"error": type(error).__name__})
        return _domain_error(errors.Busy())
    logger.exception("Unhandled error")
    return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal server error")


def make_resolver() -> APIGatewayRestResolver:
    """A REST resolver with validation, CORS and the shared error mapping."""
    origins = get_settings().allowed_origins
    cors = CORSConfig(
        allow_origin=origins[0],
        extra_origins=list(origins[1:]),
        allow_headers=_ALLOWED_HEADERS,
        expose_headers=["ETag", "Retry-After", "Idempotent-Replayed"],
        max_age=600,
    )
    app = APIGatewayRestResolver(cors=cors, enable_validation=True, json_body_deserializer=parse_json_body)
    app.exception_handler(errors.DomainError)(_domain_error)
    app.exception_handler(RequestValidationError)(_validation_error)
    app.exception_handler(errors.InvalidQuery)(_invalid_query)
    app.not_found(_no_route)
    app.exception_handler(Exception)(_unexpected_error)
    app.use(middlewares=[reject_unknown_query_parameters])
    return app


def _body_bytes(event: dict[str, Any]) -> int:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return len(body) * 3 // 4 - body.count("=", -2)
    return len(body.encode())


def _not_json(event: dict[str, Any]) -> dict[str, Any] | None:
    """415 for a body declared as anything but JSON, before anything parses it."""
    if declared_not_json(event) is None:
        return None
    return edge_response(event, HTTPStatus.UNSUPPORTED_MEDIA_TYPE, UNSUPPORTED_MEDIA_TYPE)


def _too_large(event: dict[str, Any]) -> dict[str, Any] | None:
    """413 for bodies over the configured limit, before anything parses them."""
    limit = get_settings().max_body_bytes
    if _body_bytes(event) <= limit:
        return None
    return edge_response(
        event, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"Request body too large (limit {limit} bytes)"
    )


def _decoded_path(event: dict[str, Any]) -> dict[str, Any]:
    """API Gateway passes `path` percent-encoded; route on the decoded form (ids like `org:42`)."""
    path = event.get("path")
    if not path or "%" not in path:
        return event
    return {**event, "path": unquote(path)}


def lambda_entry(app: APIGatewayRestResolver, *, idempotent: bool = False) -> LambdaHandler:
    """The Lambda handler for a resolver, wrapped by Powertools logging, metrics and tracing.

    `idempotent=True` (the POST functions) honours `Idempotency-Key`: see event_core.edge.idempotency,
    imported only by the functions that ask for it. HEAD is answered as GET without the body
    (event_core.edge.head_requests).
    """
    resolve: LambdaHandler = app.resolve
    if idempotent:
        from event_core.edge.idempotency import idempotent as once_per_key

        resolve = once_per_key(app.resolve)

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    @metrics.log_metrics(capture_cold_start_metric=True)
    @tracer.capture_lambda_handler
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        answer = (
            _too_large(event)
            or _not_json(event)
            or resolve(with_json_content_type(_decoded_path(as_get(event))), context)
        )
        return without_body(answer) if is_head(event) else answer

    return lambda_handler
