"""Guards against requests the validation layer would not turn into a clean 4xx by itself.

- A body declared as anything but JSON (form, multipart, text, `+json` types, another charset:
  see event_core.edge.media_types) is refused with 415 before anything parses it. A JSON body's
  Content-Type is then handed to Powertools as plain `application/json`: Powertools compares it
  case-sensitively as a prefix, so `Application/JSON` would be its `RequestUnsupportedContentType`
  (a 500), and `application/json-patch+json` would be parsed as JSON.

- Unknown query parameters are refused with 422, like unknown routes are refused with 404. A typo
  such as `?stauts=active` or `?limt=5` would otherwise be ignored silently and answer something
  the client did not ask for. The answer has the request-validation shape:
  `{"detail": [{"loc": ["query", "<name>"], "msg": "Unknown query parameter", "type": "extra_forbidden"}]}`,
  bounded like every 422 (event_core.edge.http: the first 20, then a count of the rest).
  The names a route knows are the `Query()` parameters of its function, so the OpenAPI document
  and this check cannot disagree.
- JSON bodies that `json.loads` cannot take without raising something other than a decode error
  (nesting deep enough to exhaust the recursion limit, integers over Python's 4300-digit
  conversion limit) and the non-standard constants `NaN`/`Infinity` are decode errors too, so
  they get the usual 422 `json_invalid` instead of a 500.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from event_core.edge.media_types import JSON, is_json

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
    from aws_lambda_powertools.event_handler.middlewares import NextMiddleware


def _content_types(event: dict[str, Any]) -> list[str]:
    """Every Content-Type value the request carries (API Gateway's `headers` holds the last one
    of repeated headers, `multiValueHeaders` all of them)."""
    single = [value for name, value in (event.get("headers") or {}).items() if name.lower() == "content-type"]
    multi = (event.get("multiValueHeaders") or {}).items()
    return single + [
        value for name, values in multi if name.lower() == "content-type" for value in values or ()
    ]


def declared_not_json(event: dict[str, Any]) -> str | None:
    """The Content-Type of a request whose body is declared as something other than JSON.

    Powertools would parse form and multipart bodies too; this API speaks JSON only (a form is
    also what a cross-site page can post without a CORS preflight), so those get 415. A body
    without a Content-Type (or with an empty one) is read as JSON; a request without a body has
    nothing to declare.
    """
    if not event.get("body"):
        return None
    return next((value for value in _content_types(event) if value.strip() and not is_json(value)), None)


def _with_header(headers: dict[str, Any] | None, name: str, value: Any) -> dict[str, Any] | None:
    """The headers with every spelling of `name` replaced by one `value`, if there was one."""
    if not headers or not any(key.lower() == name.lower() for key in headers):
        return headers
    return {**{key: v for key, v in headers.items() if key.lower() != name.lower()}, name: value}


def with_json_content_type(event: dict[str, Any]) -> dict[str, Any]:
    """The event with any Content-Type replaced by `application/json`, the one spelling Powertools
    reads as JSON. Call it once `declared_not_json` has let the request through: a body is then
    JSON, and a request without one answers 422 (body missing) whatever it declared."""
    if not _content_types(event):
        return event
    return {
        **event,
        "headers": _with_header(event.get("headers"), "Content-Type", JSON),
        "multiValueHeaders": _with_header(event.get("multiValueHeaders"), "Content-Type", [JSON]),
    }


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json_body(text: str) -> Any:
    """json.loads for request bodies: every way of failing is a JSONDecodeError."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError:
        raise
    except (RecursionError, ValueError) as error:
        raise json.JSONDecodeError(f"Unparseable JSON ({type(error).__name__})", text, 0) from None


def reject_unknown_query_parameters(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    """Resolver middleware: 422 for any query parameter the matched route does not declare."""
    event = app.current_event
    sent = set(event.multi_value_query_string_parameters or {}) | set(event.query_string_parameters or {})
    route = app.context.get("_route")
    # Powertools routes unknown paths through a route of its own: those stay 404s.
    if sent and route is not None and not route.func.__module__.startswith("aws_lambda_powertools"):
        known = {param.alias for param in route.dependant.query_params}
        if unknown := sorted(sent - known):
            raise RequestValidationError(
                [
                    {"loc": ("query", name), "msg": "Unknown query parameter", "type": "extra_forbidden"}
                    for name in unknown
                ]
            )
    return next_middleware(app)
