"""The HTTP side, which is SAM CLI's own API Gateway emulation: routes and CORS collected by
`ApiProvider` (SamApiProvider for this template), requests served by `LocalApigwService`
(Flask), which builds the proxy events and maps answers and errors to responses.

Only the serving loop is ours: `LocalApigwService.run()` stops by raising an exception from a
SIGTERM handler, which socketserver can swallow mid-request and keep serving. Instead the
service's Flask app runs in werkzeug's threaded server, which `shutdown()` stops for sure.
"""

from __future__ import annotations

import sys
from pathlib import Path

from samcli.lib.providers.api_provider import ApiProvider
from samcli.lib.providers.provider import Api, Stack
from samcli.lib.utils.stream_writer import StreamWriter
from samcli.local.apigw.local_apigw_service import LocalApigwService
from werkzeug.serving import BaseWSGIServer, make_server

from local_api.errors import LocalApiError
from local_api.gateway_responses import first_origin, follow_gateway_responses, refusing_non_utf8
from local_api.identity import LambdaRunner
from local_api.request_log import RequestLogHandler


class NoRoutes(LocalApiError):
    pass


def load_api(stacks: list[Stack], template_dir: Path, *, allowed_origins: str = "*") -> Api:
    """The template's API. Its CORS origin is the first of `allowed_origins` (the template's
    `AllowOrigin` rule), set here: SAM's resolution of that `!Sub` mangles it ("$https://...")."""
    api = ApiProvider(stacks, cwd=str(template_dir)).api
    if not api.routes:
        raise NoRoutes("The template defines no API routes")
    if api.cors is not None:
        api.cors = api.cors._replace(allow_origin=first_origin(allowed_origins))
    return api


def create_service(
    api: Api, runtime: LambdaRunner, host: str, port: int, *, allowed_origins: str = "*"
) -> LocalApigwService:
    """A created (not yet serving) service: its Flask app has the routes, and answers unknown
    ones as the template's gateway responses do."""
    service = LocalApigwService(
        api=api, lambda_runner=runtime, port=port, host=host, stderr=StreamWriter(sys.stderr)
    )
    service.create()
    follow_gateway_responses(service._app, allowed_origins)
    return service


def http_server(service: LocalApigwService, *, allowed_origins: str = "*") -> BaseWSGIServer:
    """A bound, threaded server for the service's app; run `serve_forever()`, stop `shutdown()`."""
    app = refusing_non_utf8(service._app, allowed_origins)
    return make_server(service.host, service.port, app, threaded=True, request_handler=RequestLogHandler)


def route_lines(api: Api, base_url: str) -> list[str]:
    """One line per route, like `sam local start-api` prints on start."""
    return [
        f"Mounting {route.function_name} at {base_url}{route.path} [{', '.join(route.methods)}]"
        for route in sorted(api.routes, key=lambda route: (route.path, route.methods))
    ]
