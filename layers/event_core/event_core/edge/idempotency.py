"""Idempotency keys: a POST retried with the same `Idempotency-Key` acts once and answers the same.

Powertools' idempotency utility, with its DynamoDB persistence layer (the template's
IdempotencyTable), wraps the whole HTTP exchange of the functions that opt in
(`lambda_entry(app, idempotent=True)`):

- The record's key is the route (method and resource), the caller (the authorizer's principal or
  the API key, when there is one) and the header's value (case-insensitive name; 1-255 visible
  ASCII characters). The request it stands for is the method, the path, the query and the body
  (compared as JSON, so key order and whitespace do not matter).
- First use of a key: the record is written "in progress", the request is resolved and its
  answer stored (status, body, headers) for `KEY_LIFETIME_SECONDS`. 5xx answers are not
  stored: the record is deleted, so a retry with the same key gets a real attempt.
- Same key, same request, answer stored: that answer is replayed, with `Idempotent-Replayed: true`.
  Nothing runs again. 4xx answers are replayed too: they were the outcome of that request.
- Same key, another request: 422 (request-validation shape, `loc` `["header", "idempotency-key"]`).
- Same key while the first request still runs: 409 with `Retry-After`. A request that died
  holds its key until its Lambda timeout has passed; then a retry runs again.
- Idempotency table unavailable: 503 with `Retry-After`; nothing ran.

Requests without the header behave as if this module did not exist. A header the route's
validation rejects (see `IdempotencyKey`) is left to it: the request is resolved, and refused.

Importing this module is cheap: Powertools' idempotency package (and boto3, which it imports)
load on the first request that carries a key, and only in the functions that opt in.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from functools import cache
from http import HTTPStatus
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Header

from event_core.edge.proxy_responses import allowed_origin, edge_response
from event_core.errors import Busy
from event_core.observability import logger
from event_core.settings import get_settings
from event_core.store.client import dynamodb

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from event_core.edge.proxy_responses import LambdaHandler

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = r"^[!-~]{1,255}$"
KEY_LIFETIME_SECONDS = 24 * 60 * 60
_KEY = re.compile(KEY_PATTERN)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        pattern=KEY_PATTERN,
        description=(
            "Makes a retried POST safe: the same key with the same request replays the first answer"
            " (status and body) instead of acting again, for 24 hours. The same key with a different"
            " request is refused (422); while the first request still runs, 409."
        ),
    ),
]
"""The header as a route parameter: documents it in OpenAPI and validates its form."""

MISMATCH = [
    {
        "loc": ["header", HEADER.lower()],  # as request validation names headers
        "msg": f"This {HEADER} was already used with a different request",
        "type": "idempotency_key_reused",
    }
]
IN_PROGRESS = f"A request with this {HEADER} is still in progress"
UNAVAILABLE = Busy.message


class _NotStored(Exception):
    """Raised inside the idempotent call so that Powertools deletes the record of a 5xx answer."""


def idempotent(resolve: LambdaHandler) -> LambdaHandler:
    """Wrap a resolver's `resolve` so that requests carrying a valid key run at most once."""

    def resolve_once(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        key = key_header(event)
        if key is None or not _KEY.fullmatch(key):
            return resolve(event, context)
        return _exchange(resolve, event, context, key)

    return resolve_once


def key_header(event: dict[str, Any]) -> str | None:
    """The Idempotency-Key header, whatever its case; the last value if it was sent twice."""
    wanted = HEADER.lower()
    for name, values in (event.get("multiValueHeaders") or {}).items():
        if name.lower() == wanted and values:
            return str(values[-1])
    for name, value in (event.get("headers") or {}).items():
        if name.lower() == wanted and value is not None:
            return str(value)
    return None


def fingerprint(event: dict[str, Any]) -> dict[str, Any]:
    """What makes two requests "the same request": method, path, query and body."""
    body = event.get("body")
    if isinstance(body, str) and not event.get("isBase64Encoded"):
        with contextlib.suppress(ValueError):  # not JSON: compared as sent
            body = json.loads(body)
    return {
        "method": event.get("httpMethod"),
        "path": event.get("path"),
        "query": event.get("multiValueQueryStringParameters") or {},
        "body": body,
    }


def _scope(event: dict[str, Any]) -> str:
    """The route and the caller: keys of different routes or callers never meet."""
    context = event.get("requestContext") or {}
    authorizer = context.get("authorizer") or {}
    identity = context.get("identity") or {}
    caller = (
        authorizer.get("principalId")
        or (authorizer.get("claims") or {}).get("sub")
        or identity.get("apiKeyId")
        or ""
    )
    return f"{event.get('httpMethod')} {event.get('resource')} {caller}"


@cache
def _persistence(table: str, client: Any) -> DynamoDBPersistenceLayer:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    # The process's one DynamoDB client: same endpoint, timeouts, retries and connection pool.
    return DynamoDBPersistenceLayer(table_name=table, boto3_client=client)


def _exchange(
    resolve: LambdaHandler, event: dict[str, Any], context: LambdaContext, key: str
) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyInconsistentStateError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    answered: list[dict[str, Any]] = []  # the fresh answer, once the request has been resolved

    def answer(request: dict[str, Any]) -> dict[str, Any]:
        response = resolve(event, context)
        answered.append(response)
        if int(response.get("statusCode", 500)) >= HTTPStatus.INTERNAL_SERVER_ERROR:
            raise _NotStored()
        return _storable(response)

    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="request",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=KEY_LIFETIME_SECONDS,
        hash_function="sha256",
        lambda_context=context,
    )
    once: Callable[..., dict[str, Any]] = idempotent_function(
        answer,
        data_keyword_argument="request",
        persistence_store=_persistence(get_settings().idempotency_table, dynamodb()),
        config=config,
        key_prefix="idempotency-key",
    )
    try:
        stored = once(request={"key": f"{_scope(event)} {key}", "request": fingerprint(event)})
    except _NotStored:
        return answered[-1]
    except IdempotencyValidationError:
        return edge_response(event, HTTPStatus.UNPROCESSABLE_ENTITY, MISMATCH)
    except IdempotencyAlreadyInProgressError:
        return edge_response(event, HTTPStatus.CONFLICT, IN_PROGRESS, {"Retry-After": "1"})
    except (IdempotencyPersistenceLayerError, IdempotencyInconsistentStateError):
        if answered:  # the request ran; only recording its answer failed: give the real answer
            logger.warning("Idempotency record not saved", extra={"status": answered[-1].get("statusCode")})
            return answered[-1]
        logger.exception("Idempotency store unavailable")
        return edge_response(event, HTTPStatus.SERVICE_UNAVAILABLE, UNAVAILABLE, {"Retry-After": "1"})
    if answered:
        return answered[-1]
    return _replay(stored, event)


def _storable(response: dict[str, Any]) -> dict[str, Any]:
    """The answer to store: everything but the CORS origin, which belongs to each request."""
    headers = {
        name: values
        for name, values in (response.get("multiValueHeaders") or {}).items()
        if name.lower() != "access-control-allow-origin"
    }
    for name, value in (response.get("headers") or {}).items():
        if name.lower() != "access-control-allow-origin":
            headers.setdefault(name, [value])
    return {
        "statusCode": response.get("statusCode"),
        "body": response.get("body"),
        "isBase64Encoded": bool(response.get("isBase64Encoded")),
        "multiValueHeaders": headers,
    }


def _replay(stored: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    headers: dict[str, list[str]] = dict(stored.get("multiValueHeaders") or {})
    headers[REPLAYED_HEADER] = ["true"]
    if origin := allowed_origin(event):
        headers["Access-Control-Allow-Origin"] = [origin]
    return {**stored, "multiValueHeaders": headers}
