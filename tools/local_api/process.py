"""One warm worker subprocess, seen from the server: spawn it, hand it an event, read the reply.

The worker (`worker.py`) runs on the server's interpreter. Events and results travel on two
dedicated pipes; the worker's stdout and stderr are the server's log fd, so handler output is
logged and never mistaken for a result.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local_api import worker
from local_api.functions import FunctionSpec

WORKER_SCRIPT = Path(worker.__file__).resolve()
STDERR_FD = 2


@dataclass(frozen=True, slots=True)
class Reply:
    """What the function answered, as the JSON text `sam local` would print."""

    body: str
    is_error: bool
    worker_usable: bool


def _error(request_id: str, error_type: str, message: str) -> str:
    return json.dumps(
        {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": []}
    )


class WorkerProcess:
    """A Python process that imported one function's handler and serves invocations in turn."""

    def __init__(self, spec: FunctionSpec, log_fd: int = STDERR_FD) -> None:
        self.spec = spec
        events_read, events_write = os.pipe()
        results_read, results_write = os.pipe()
        command = [
            sys.executable,
            "-P",  # no script directory on sys.path: the worker sets the path itself
            str(WORKER_SCRIPT),
            f"--events-fd={events_read}",
            f"--results-fd={results_write}",
            f"--handler={spec.handler}",
            *map(str, spec.import_paths),
        ]
        try:
            self.process = subprocess.Popen(
                command,
                pass_fds=(events_read, results_write),
                env=dict(spec.environment),
                cwd=spec.code_dir,
                stdin=subprocess.DEVNULL,
                stdout=log_fd,
                stderr=log_fd,
            )
        except BaseException:
            for fd in (events_read, events_write, results_read, results_write):
                os.close(fd)
            raise
        os.close(events_read)
        os.close(results_write)
        self._events = os.fdopen(events_write, "wb")
        self._results = results_read
        self._selector = selectors.DefaultSelector()
        self._selector.register(results_read, selectors.EVENT_READ)
        self._buffer = b""

    @property
    def pid(self) -> int:
        return self.process.pid

    def invoke(self, event: Any, request_id: str) -> Reply:
        """Run one invocation; blocks until it answers, dies, or reaches the function timeout."""
        timeout = self.spec.timeout_s
        message = {
            "requestId": request_id,
            "deadlineMs": int((time.time() + timeout) * 1000),
            "event": event,
        }
        try:
            self._events.write(json.dumps(message).encode() + b"\n")
            self._events.flush()
            line = self._read_line(time.monotonic() + timeout)
        except BrokenPipeError:
            line = None
        except TimeoutError:
            self.kill()
            stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
            text = f"{stamp} {request_id} Task timed out after {timeout:.2f} seconds"
            return Reply(_error(request_id, "Sandbox.Timedout", text), is_error=True, worker_usable=False)
        if line is None:
            code = self.process.wait()
            text = f"RequestId: {request_id} Error: Runtime exited with error: exit status {code}"
            return Reply(_error(request_id, "Runtime.ExitError", text), is_error=True, worker_usable=False)
        status, _, body = line.partition(b" ")
        return Reply(body.decode(), is_error=status != worker.OK, worker_usable=True)

    def _read_line(self, deadline: float) -> bytes | None:
        """The next result line; None if the worker closed its end (exited)."""
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            if not self._selector.select(remaining):
                continue
            chunk = os.read(self._results, 1 << 16)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def stop(self, grace: float = 2.0) -> None:
        """Close the event pipe (the worker then exits by itself); kill it after `grace`."""
        if not self._events.closed:
            with contextlib.suppress(BrokenPipeError):
                self._events.close()
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()
        self._close_results()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def _close_results(self) -> None:
        if self._selector.get_map():
            self._selector.unregister(self._results)
            self._selector.close()
            os.close(self._results)
