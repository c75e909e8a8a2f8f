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
from local_api.identity import LambdaRunner
from local_api.request_log import RequestLogHandler


class NoRoutes(LocalApiError):
    pass


def load_api(stacks: list[Stack], template_dir: Path) -> Api:
    api = ApiProvider(stacks, cwd=str(template_dir)).api
    if not api.routes:
        raise NoRoutes("The template defines no API routes")
    return api


def create_service(api: Api, runtime: LambdaRunner, host: str, port: int) -> LocalApigwService:
    """A created (not yet serving) service: its Flask app has the routes."""
    service = LocalApigwService(
        api=api, lambda_runner=runtime, port=port, host=host, stderr=StreamWriter(sys.stderr)
    )
    service.create()
    return service


def http_server(service: LocalApigwService) -> BaseWSGIServer:
    """A bound, threaded server for the service's app; run `serve_forever()`, stop `shutdown()`."""
    return make_server(
        service.host, service.port, service._app, threaded=True, request_handler=RequestLogHandler
    )


def route_lines(api: Api, base_url: str) -> list[str]:
    """One line per route, like `sam local start-api` prints on start."""
    return [
        f"Mounting {route.function_name} at {base_url}{route.path} [{', '.join(route.methods)}]"
        for route in sorted(api.routes, key=lambda route: (route.path, route.methods))
    ]
