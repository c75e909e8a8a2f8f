"""One warm worker process, seen from the server: start it, hand it an event, read the reply.

The worker (`worker.py`, forked by `fork_server.py`) runs on the server's interpreter. Events
and results travel on two dedicated pipes; the worker's stdout and stderr are the server's log
fd, so handler output is logged and never mistaken for a result.

As on AWS, a new worker's init phase (importing the handler) is not part of its first
invocation's timeout: the function's timeout starts when the worker says it is ready.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing.connection
import os
import selectors
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from local_api import fork_server, worker
from local_api.functions import FunctionSpec

STDERR_FD = 2
# Only a guard against an import that hangs. AWS gives the init phase 10 s of its own; here every
# worker that starts at once (a burst of requests) imports on the same few CPUs, which on a busy
# machine takes far longer and says nothing about the code.
INIT_TIMEOUT_SECONDS = 120.0
# A worker whose results pipe closed is exiting; one that has not after this is killed.
REAP_GRACE_SECONDS = 10.0


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
        try:
            self.process = fork_server.start(
                handler=spec.handler,
                import_paths=spec.import_paths,
                environment=spec.environment,
                events_fd=events_read,
                results_fd=results_write,
                log_fd=log_fd,
            )
        except BaseException:
            os.close(events_write)
            os.close(results_read)
            raise
        finally:  # the worker has its own copies
            os.close(events_read)
            os.close(results_write)
        self._pid = self.process.pid or 0
        self.exit_code: int | None = None
        self._events = os.fdopen(events_write, "wb")
        self._results = results_read
        self._selector = selectors.DefaultSelector()
        self._selector.register(results_read, selectors.EVENT_READ)
        self._buffer = b""
        self._ready = False

    @property
    def pid(self) -> int:
        return self._pid

    def invoke(self, event: Any, request_id: str) -> Reply:
        """Run one invocation; blocks until it answers, dies, or reaches the function timeout
        (counted from the end of the worker's init phase, as on AWS)."""
        if not self._ready and (failed := self._await_init(request_id)) is not None:
            return failed
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
            return self._timed_out(request_id, f"Task timed out after {timeout:.2f} seconds")
        if line is None:
            return self._exited(request_id)
        status, _, body = line.partition(b" ")
        return Reply(body.decode(), is_error=status != worker.OK, worker_usable=True)

    def _await_init(self, request_id: str) -> Reply | None:
        """Wait for the worker's `ready` (its handler imported); the failed invocation if it
        exits or hangs instead. An import error is not a failure here: the worker reports it on
        every invocation, as Lambda does."""
        try:
            line = self._read_line(time.monotonic() + INIT_TIMEOUT_SECONDS)
        except TimeoutError:
            return self._timed_out(request_id, f"Init timed out after {INIT_TIMEOUT_SECONDS:.2f} seconds")
        if line is None:
            return self._exited(request_id)
        if line != worker.READY:  # a bug in worker.py, not in the function
            self.kill()
            raise RuntimeError(f"worker {self.pid} sent {line[:80]!r} before it was ready")
        self._ready = True
        return None

    def _timed_out(self, request_id: str, what: str) -> Reply:
        self.kill()
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
        text = f"{stamp} {request_id} {what}"
        return Reply(_error(request_id, "Sandbox.Timedout", text), is_error=True, worker_usable=False)

    def _exited(self, request_id: str) -> Reply:
        code = self._reap()
        text = f"RequestId: {request_id} Error: Runtime exited with error: exit status {code}"
        return Reply(_error(request_id, "Runtime.ExitError", text), is_error=True, worker_usable=False)

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

    def ask_to_exit(self) -> None:
        """Close the event pipe: the worker exits by itself once it has read to the end."""
        if not self._events.closed:
            with contextlib.suppress(BrokenPipeError):
                self._events.close()

    def stop(self, grace: float = 2.0) -> None:
        """Ask the worker to exit; kill it after `grace`."""
        self.ask_to_exit()
        if not self._exited_within(grace):
            self.kill()
        self._reap()
        self._close_results()

    def kill(self) -> None:
        self._signal_kill()
        self._reap()

    def _signal_kill(self) -> None:
        with fork_server.BOOKKEEPING:
            if self.exit_code is None and self.process.exitcode is None:
                self.process.kill()

    def _exited_within(self, seconds: float | None) -> bool:
        try:
            sentinel = self.process.sentinel
        except ValueError:  # closed: reaped by another thread
            return True
        return bool(multiprocessing.connection.wait([sentinel], seconds))

    def _reap(self) -> int:
        """Wait for the worker to exit (killed if it will not); its exit code, negative for the
        signal that ended it."""
        if self.exit_code is None and not self._exited_within(REAP_GRACE_SECONDS):
            self._signal_kill()
            self._exited_within(None)
        with fork_server.BOOKKEEPING:
            if self.exit_code is None:
                self.process.join()  # at once: the worker has exited
                self.exit_code = self.process.exitcode
                self.process.close()
        return self.exit_code if self.exit_code is not None else -1

    def _close_results(self) -> None:
        if self._selector.get_map():
            self._selector.unregister(self._results)
            self._selector.close()
            os.close(self._results)
