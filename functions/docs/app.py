"""GET /openapi.json, GET /docs - the API's OpenAPI document and a Swagger UI page for it.

The document is generated from the route functions' own definitions (`make openapi`) and ships
in this package; it is served with the security scheme of the deployed AuthMode (env AUTH_MODE),
so Swagger UI's "Authorize" asks for the credential the API wants. Swagger UI's script and
stylesheet come with Powertools (in the layer), so the page loads nothing from elsewhere. The
route functions carry none of this.
"""

from __future__ import annotations

import html
import json
from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi import swagger_ui

from event_core.edge.api_docs import secured
from event_core.edge.http import lambda_entry, make_resolver
from event_core.settings import get_settings

DOCUMENT = Path(__file__).with_name("openapi.json")
SWAGGER_UI = Path(swagger_ui.__file__).parent
ASSET_CACHE_CONTROL = "public, max-age=86400"  # they change only with the Powertools version
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <link rel="stylesheet" href="{base}/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{base}/docs/swagger-ui.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{
      url: {document_url},
      dom_id: "#swagger-ui",
      deepLinking: true,
      displayOperationId: true,
      docExpansion: "list",
      validatorUrl: null,
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
    }});
  </script>
</body>
</html>
"""

app = make_resolver()


@cache
def document() -> dict[str, Any]:
    return json.loads(DOCUMENT.read_text())


@cache
def swagger_asset(name: str) -> str:
    return (SWAGGER_UI / name).read_text()


def base_path() -> str:
    """The prefix the request came in under: `/<stage>` on the execute-api URL, else empty.

    API Gateway gives the route's path in `path` and the full one in `requestContext.path`.
    """
    event = app.current_event
    full = str(event.request_context.path or "")
    return full[: -len(event.path)] if event.path and full.endswith(event.path) else ""


def _text(body: str, content_type: str, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(status_code=HTTPStatus.OK, content_type=content_type, body=body, headers=headers)


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    # Server "/" would miss the stage prefix: "Try it out" must call the URL the page came from.
    served = {**secured(document(), get_settings().auth_mode), "servers": [{"url": base_path() or "/"}]}
    return _text(json.dumps(served), content_types.APPLICATION_JSON)


@app.get("/docs", include_in_schema=False)
def swagger_page() -> Response[str]:
    info = document()["info"]
    base = base_path()
    page = PAGE.format(
        title=html.escape(f"{info['title']} {info['version']}"),
        base=html.escape(base),
        document_url=json.dumps(f"{base}/openapi.json").replace("<", "\\u003c"),
    )
    return _text(page, "text/html; charset=utf-8")


@app.get("/docs/swagger-ui.js", include_in_schema=False)
def swagger_script() -> Response[str]:
    return _text(
        swagger_asset("swagger-ui-bundle.min.js"),
        "text/javascript; charset=utf-8",
        {"Cache-Control": ASSET_CACHE_CONTROL},
    )


@app.get("/docs/swagger-ui.css", include_in_schema=False)
def swagger_stylesheet() -> Response[str]:
    return _text(
        swagger_asset("swagger-ui.min.css"), "text/css; charset=utf-8", {"Cache-Control": ASSET_CACHE_CONTROL}
    )


lambda_handler = lambda_entry(app)
