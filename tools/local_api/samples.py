"""The events/ samples (API Gateway proxy events, one per function), as they are or with parts
replaced, for the tests and the benchmark to feed the functions."""

from __future__ import annotations

import json
from typing import Any

from local_api.paths import EVENTS_DIR

_KEEP: Any = object()


def load_sample(name: str) -> dict[str, Any]:
    return json.loads((EVENTS_DIR / f"{name}.json").read_text())


def sample(
    name: str,
    *,
    path_params: dict[str, str] | None = None,
    query: dict[str, str] | None = _KEEP,
    body: Any = _KEEP,
    raw_body: str | None = _KEEP,
    headers: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """events/<name>.json with some parts replaced, keeping the event self-consistent.

    path_params are merged into pathParameters and path; query replaces the query string;
    body is JSON-encoded (raw_body is sent as is); headers are merged (None removes one).
    """
    event = load_sample(name)
    if path_params:
        params = {**(event["pathParameters"] or {}), **path_params}
        path = event["resource"]
        for key, value in params.items():
            path = path.replace("{" + key + "}", value)
        event["pathParameters"] = params
        event["path"] = path
        event["requestContext"]["path"] = f"/{event['requestContext']['stage']}{path}"
    if query is not _KEEP:
        event["queryStringParameters"] = query or None
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} if query else None
    if body is not _KEEP:
        event["body"] = json.dumps(body)
    if raw_body is not _KEEP:
        event["body"] = raw_body
    for key, value in (headers or {}).items():
        for existing in [k for k in event["headers"] if k.lower() == key.lower()]:
            del event["headers"][existing]
            del event["multiValueHeaders"][existing]
        if value is not None:
            event["headers"][key] = value
            event["multiValueHeaders"][key] = [value]
    return event
