"""A warm Lambda worker process: imports one handler once, then serves invocations from a pipe.

Forked by `fork_server.py` (`run`), it first makes itself the function's sandbox: the function's
environment (os.environ replaced), its import path (the code directory and the layers, like
/var/task and /opt/python, then only the interpreter's own directories) and working directory.
Stdlib only: it shares the interpreter (and site-packages) with the server.

Protocol, one line per message:
  results fd -> b"ready" once, when the handler module is imported (or failed to import): the
                init phase is over, and the function's timeout may start counting
  events fd  <- {"requestId": str, "deadlineMs": int, "event": <any JSON>}
  results fd -> b"ok " + <handler result as JSON>
              | b"error " + {errorMessage, errorType, requestId, stackTrace}
The handler's own stdout/stderr are the process's fds 1 and 2, which the server points at its
stderr, so logs never mix with results.
"""

from __future__ import annotations

import decimal
import importlib
import io
import json
import os
import signal
import sys
import sysconfig
import traceback
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, BinaryIO

from local_api.lambda_context import LambdaContext

Handler = Callable[[Any, Any], Any]

READY = b"ready"
OK = b"ok"
ERROR = b"error"


def context(request_id: str, deadline_ms: int) -> Any:
    """The invocation's context, described by the environment the server gives the function."""
    name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
    return LambdaContext(
        name,
        request_id,
        deadline_ms=deadline_ms,
        memory_limit_in_mb=int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")),
        function_version=os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        log_group_name=os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME"),
        log_stream_name=os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "$LATEST"),
    )


def error_document(exc: BaseException, request_id: str, error_type: str | None = None) -> dict:
    """The error shape the Lambda Python runtime returns (and API Gateway turns into a 502)."""
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


def _json_default(value: Any) -> Any:
    # The Python runtime serialises Decimal (what boto3 returns for DynamoDB numbers).
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def load_handler(spec: str) -> Handler:
    module_name, _, function_name = spec.rpartition(".")
    if not module_name:
        raise ValueError(f"Bad handler {spec!r}: expected 'module.function'")
    handler = getattr(importlib.import_module(module_name), function_name)
    if not callable(handler):
        raise TypeError(f"Handler {spec!r} is not callable")
    return handler


def load(spec: str) -> Handler | BaseException:
    """The handler, or the error that importing it raised (reported on every invocation)."""
    try:
        return load_handler(spec)
    except Exception as exc:
        traceback.print_exc()
        return exc


def invoke(handler: Handler | BaseException, message: dict) -> tuple[bytes, Any]:
    """Run one invocation: (b"ok", result) or (b"error", Lambda error document)."""
    request_id = str(message["requestId"])
    if isinstance(handler, BaseException):
        return ERROR, error_document(handler, request_id, "Runtime.ImportModuleError")
    try:
        result = handler(message["event"], context(request_id, int(message["deadlineMs"])))
    except Exception as exc:
        traceback.print_exc()
        return ERROR, error_document(exc, request_id)
    return OK, result


def encode(status: bytes, value: Any, request_id: str) -> bytes:
    try:
        return status + b" " + json.dumps(value, default=_json_default).encode() + b"\n"
    except (TypeError, ValueError) as exc:
        error = error_document(exc, request_id, "Runtime.MarshalError")
        return ERROR + b" " + json.dumps(error).encode() + b"\n"


def serve(events: BinaryIO, results: BinaryIO, handler_spec: str) -> None:
    handler = load(handler_spec)
    sys.stdout.flush()
    sys.stderr.flush()
    results.write(READY + b"\n")
    results.flush()
    for line in events:
        message = json.loads(line)
        status, value = invoke(handler, message)
        sys.stdout.flush()
        sys.stderr.flush()
        results.write(encode(status, value, str(message["requestId"])))
        results.flush()


def run(
    handler: str, import_paths: list[str], environment: dict[str, str], events: int, results: int, log: int
) -> None:
    """The forked worker's life: become the function's sandbox, then serve until the server
    closes the events pipe. Never returns."""
    for fd in (1, 2):
        os.dup2(log, fd)
    os.close(log)
    os.environ.clear()
    os.environ.update(environment)
    _apply_interpreter_options(environment)
    sys.path[:] = [*import_paths, *_interpreter_paths(sys.path)]
    os.chdir(import_paths[0])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server owns shutdown (it closes the events pipe)
    with os.fdopen(events, "rb") as event_lines, os.fdopen(results, "wb") as result_lines:
        serve(event_lines, result_lines, handler)
    sys.stdout.flush()
    sys.stderr.flush()
    # No interpreter teardown, as when Lambda shuts a sandbox down: a hundred workers finalizing
    # boto3 and pydantic at once, when the server stops, took seconds of CPU. Nothing is lost:
    # results and logs are flushed after every invocation.
    os._exit(0)


def _interpreter_paths(paths: Sequence[str]) -> list[str]:
    """The standard library's and site-packages' entries of `paths`, not the server's own
    (PYTHONPATH, its working directory), which a Lambda sandbox does not have."""
    own = {sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")}
    stdlib_zip = f"python{sys.version_info.major}{sys.version_info.minor}.zip"

    def interpreters(path: str) -> bool:
        inside = any(path == top or path.startswith(top + os.sep) for top in own)
        return inside or os.path.basename(path) == stdlib_zip

    return [path for path in paths if path and interpreters(path)]


def _apply_interpreter_options(environment: Mapping[str, str]) -> None:
    """PYTHONWARNINGS and PYTHONUNBUFFERED, which a new interpreter reads at start-up and a fork
    does not."""
    set_option = getattr(warnings, "_setoption", None)  # what the interpreter itself applies them with
    options = environment.get("PYTHONWARNINGS", "").split(",")
    for option in filter(None, map(str.strip, options)):
        if set_option is not None:
            set_option(option)
    if environment.get("PYTHONUNBUFFERED"):
        for stream in (sys.stdout, sys.stderr):
            if isinstance(stream, io.TextIOWrapper):
                stream.reconfigure(line_buffering=True)
