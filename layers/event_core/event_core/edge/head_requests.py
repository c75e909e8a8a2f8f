"""HEAD requests: answered as the GET of the same URL, without its body (RFC 9110 section 9.3.2).

API Gateway (REST) does not turn HEAD into GET: a method the API does not declare gets its
MISSING_AUTHENTICATION_TOKEN gateway response (403), and SAM's local emulation of it (the local
server) answers 502. So template.yaml declares HEAD beside every GET, on the same function and
with the same security requirement, and the function resolves it as that GET: same status, same
headers (`ETag`, `Content-Type`, CORS), empty body. API Gateway sets `Content-Length` from the
body it is given, which RFC 9110 allows for HEAD.
"""

from __future__ import annotations

from typing import Any


def is_head(event: dict[str, Any]) -> bool:
    return event.get("httpMethod") == "HEAD"


def as_get(event: dict[str, Any]) -> dict[str, Any]:
    """The event a HEAD request is resolved as: its GET (the request context still says HEAD)."""
    return {**event, "httpMethod": "GET"} if is_head(event) else event


def without_body(answer: dict[str, Any]) -> dict[str, Any]:
    """A proxy integration answer with its status and headers, and nothing in the body."""
    return {**answer, "body": "", "isBase64Encoded": False}
