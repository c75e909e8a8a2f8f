"""API Gateway's own answers as the template configures them, where SAM's emulation differs.

- A path or method the API does not declare: API Gateway answers MISSING_AUTHENTICATION_TOKEN
  (403), which the template's DEFAULT_4XX gateway response renders `{"detail": <message>}`
  with the first allowed origin; SAM answers `{"message": ...}`.
- A body that is not UTF-8: SAM's emulation fails on it with a 502; here it is refused with a
  400 in the API's error shape before it reaches a function (the functions take text bodies).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response

MISSING_TOKEN = "Missing Authentication Token"  # noqa: S105 (API Gateway's message, not a secret)
NOT_UTF8 = "Request body is not valid UTF-8"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def first_origin(allowed_origins: str) -> str:
    """The Access-Control-Allow-Origin of the template's gateway responses: the first origin."""
    return allowed_origins.split(",")[0].strip() or "*"


def error_body(detail: str) -> bytes:
    return json.dumps({"detail": detail}).encode()


def follow_gateway_responses(app: Flask, allowed_origins: str) -> None:
    """Unknown routes and methods answer as the deployed API does."""

    def missing_token(_error: Exception) -> Response:
        headers = {"Access-Control-Allow-Origin": first_origin(allowed_origins)}
        return Response(error_body(MISSING_TOKEN), 403, headers, mimetype="application/json")

    app.register_error_handler(404, missing_token)
    app.register_error_handler(405, missing_token)


def refusing_non_utf8(app: WsgiApp, allowed_origins: str) -> WsgiApp:
    """WSGI middleware: 400 for a request body that is not UTF-8; others pass, body intact."""

    def middleware(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length <= 0:
            return app(environ, start_response)
        body = environ["wsgi.input"].read(length)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            payload = error_body(NOT_UTF8)
            start_response(
                "400 BAD REQUEST",
                [
                    ("Content-Type", "application/json"),
                    ("Content-Length", str(len(payload))),
                    ("Access-Control-Allow-Origin", first_origin(allowed_origins)),
                ],
            )
            return [payload]
        environ["wsgi.input"] = io.BytesIO(body)
        return app(environ, start_response)

    return middleware
