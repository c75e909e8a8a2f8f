"""Readable server output: one line per request (method, path, status, milliseconds, API
Gateway request id, the functions' correlation id), without werkzeug's ANSI colours, and
without SAM CLI's start-up warning for each authorizer it does not emulate."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from samcli.lib.utils.stream_writer import StreamWriter
from werkzeug.serving import WSGIRequestHandler

from local_api.identity import LambdaRunner

LOG = logging.getLogger(__name__)
AUTHORIZER_LOGGER = "samcli.commands.local.lib.swagger.parser"
SKIPPED_AUTHORIZER = "Skip parsing unsupported authorizer"

_request = threading.local()  # a request is served by one thread, from reading it to logging it


class RecordRequestIds:
    """A lambda runner that notes the request id of the event it passes on, for the log line."""

    def __init__(self, runner: LambdaRunner) -> None:
        self._runner = runner

    def is_debugging(self) -> bool:
        return self._runner.is_debugging()

    def invoke(
        self,
        function_identifier: str,
        event: str,
        tenant_id: str | None = None,
        stdout: StreamWriter | None = None,
        stderr: StreamWriter | None = None,
        **kwargs: Any,
    ) -> None:
        event, _request.id = with_new_request_id(event)
        self._runner.invoke(
            function_identifier, event, tenant_id=tenant_id, stdout=stdout, stderr=stderr, **kwargs
        )


def with_new_request_id(event: str) -> tuple[str, str | None]:
    """The event with a request id of its own, and that id. SAM's gateway gives every request
    the same one (a default argument, evaluated once); API Gateway a new one per request, which
    the functions log as their correlation id."""
    try:
        parsed = json.loads(event)
        context = parsed.get("requestContext")
    except (ValueError, AttributeError):
        return event, None
    if not isinstance(context, dict):
        return event, None
    context["requestId"] = str(uuid.uuid4())
    return json.dumps(parsed), context["requestId"]


def request_line(method: str, path: str, status: str, millis: float, request_id: str | None) -> str:
    return f"{method} {path} {status} {millis:.0f} ms {request_id or '-'}"


class RequestLogHandler(WSGIRequestHandler):
    """werkzeug's handler, logging `request_line`s instead of its coloured access log."""

    def handle_one_request(self) -> None:
        self._started = time.monotonic()
        _request.id = None
        super().handle_one_request()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        millis = (time.monotonic() - getattr(self, "_started", time.monotonic())) * 1000
        path = str(getattr(self, "path", "")).translate(self._control_char_table)
        LOG.info("%s", request_line(self.command or "-", path, str(code), millis, _request.id))


class _DropSkippedAuthorizers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(SKIPPED_AUTHORIZER):
            LOG.debug("%s", record.getMessage())
            return False
        return True


@contextmanager
def quiet_authorizer_warnings() -> Iterator[None]:
    """SAM's gateway warns once per authorizer it does not run (all of the template's, by
    design: AUTH_MODE=COGNITO is emulated by local_api.identity); that is debug output here."""
    log_filter = _DropSkippedAuthorizers()
    logger = logging.getLogger(AUTHORIZER_LOGGER)
    logger.addFilter(log_filter)
    try:
        yield
    finally:
        logger.removeFilter(log_filter)
