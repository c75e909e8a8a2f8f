"""The local AWS services the functions call besides DynamoDB: one moto server (moto's server
mode, in this process) serving EventBridge (`events`), EventBridge Scheduler (`scheduler`) and
the SQS queue the local stack reads published events from.

The functions reach it through the service-specific endpoint variables botocore honours
(AWS_ENDPOINT_URL_EVENTBRIDGE, AWS_ENDPOINT_URL_SCHEDULER), so the code that publishes events
or creates schedules is exactly the code that runs in AWS.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from local_api.clients import local_client
from local_api.functions import FunctionSpec
from local_api.net import LOCALHOST

LOG = logging.getLogger(__name__)

# The services the functions reach on the moto server, by botocore's endpoint variable.
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_EVENTBRIDGE", "AWS_ENDPOINT_URL_SCHEDULER")


class _QuietHandler(MotoRequestHandler):
    """Moto's request handler, logging at debug level: the functions' calls are not news."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        LOG.debug("moto: %s %s", self.requestline, code)


@dataclass(frozen=True)
class MotoServer:
    endpoint: str

    def client(self, service: str) -> Any:
        """A boto3 client of `service` ("events", "scheduler", "sqs") on this server."""
        return local_client(service, self.endpoint)


@contextmanager
def start_moto_server(port: int = 0) -> Iterator[MotoServer]:
    """Serve moto on 127.0.0.1:`port` (0: a free port) while the block runs. The state is in
    memory, and gone when the block ends."""
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(LOCALHOST, port, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="moto-server", daemon=True
    )
    thread.start()
    try:
        yield MotoServer(f"http://{LOCALHOST}:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def with_aws_endpoints(specs: Mapping[str, FunctionSpec], endpoint: str) -> dict[str, FunctionSpec]:
    """Point every function's EventBridge and Scheduler clients at the moto server."""
    variables = dict.fromkeys(ENDPOINT_VARIABLES, endpoint)
    return {
        name: dataclasses.replace(spec, environment={**spec.environment, **variables})
        for name, spec in specs.items()
    }
