"""A warm Lambda worker process: imports one handler once, then serves invocations from a pipe.

Run by `process.py` as `python -P worker.py --events-fd N --results-fd M --handler app.fn DIR...`.
Stdlib only: it shares the interpreter (and site-packages) with the server, but its import path
starts with the function's code directory and its layers, like /var/task and /opt/python.

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

import argparse
import decimal
import importlib
import json
import os
import runpy
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any, BinaryIO

Handler = Callable[[Any, Any], Any]

READY = b"ready"
OK = b"ok"
ERROR = b"error"


# lambda_context.py, beside this file, run by its path: the worker's import path is the function's.
LambdaContext = runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "lambda_context.py"))[
    "LambdaContext"
]


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events-fd", type=int, required=True)
    parser.add_argument("--results-fd", type=int, required=True)
    parser.add_argument("--handler", required=True)
    parser.add_argument("paths", nargs="+", help="code directory first, then layer directories")
    args = parser.parse_args(argv)

    # The server owns shutdown (it closes our events pipe); Ctrl-C in its terminal is not ours.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.path[:0] = args.paths
    os.chdir(args.paths[0])
    with os.fdopen(args.events_fd, "rb") as events, os.fdopen(args.results_fd, "wb") as results:
        serve(events, results, args.handler)
    return 0


if __name__ == "__main__":
    code = main()
    # No interpreter teardown, as when Lambda shuts a sandbox down: a hundred workers finalizing
    # boto3 and pydantic at once, when the server stops, took seconds of CPU. Nothing is lost:
    # results and logs are flushed after every invocation.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
