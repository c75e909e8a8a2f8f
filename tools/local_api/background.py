"""Run the local API in a subprocess, for tests and scripts: `serve_in_background(...)`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from local_api.net import LOCALHOST, accepts_connections, wait_until
from local_api.orphans import die_with_parent, terminate
from local_api.paths import DEFAULT_TEMPLATE, TOOLS_DIR
from local_api.runtime import DEFAULT_MAX_WORKERS


class ServerFailedToStart(RuntimeError):
    pass


@dataclass
class ServerHandle:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def logged(self, text: str, *, since: int = 0, timeout: float = 30.0) -> bool:
        """Whether `text` is in the log past its first `since` characters, waiting `timeout` at
        most: the server's output reaches the file through a pipe, a moment after its answer."""
        return wait_until(lambda: text in self.log()[since:], timeout=timeout)

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM (the server stops its workers), then SIGKILL after `timeout`."""
        return terminate(self.process, timeout)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_in_background(
    port: int,
    dynamodb_endpoint: str | None,
    *,
    template: Path = DEFAULT_TEMPLATE,
    max_workers: int = DEFAULT_MAX_WORKERS,
    dynamodb_port: int | None = None,
    log_path: Path | None = None,
    startup_timeout: float = 60.0,
    environment: Mapping[str, str] | None = None,
) -> ServerHandle:
    """Start `python -m local_api serve` and return once it listens.

    With `dynamodb_endpoint` None the server starts (and stops) its own DynamoDB Local on
    `dynamodb_port`. Its output (requests, handler logs) goes to `log_path` (a temporary file
    by default). `environment` adds to the server's environment, which the functions' variables
    declared in the template follow (`AUTH_MODE=COGNITO`: see local_api.identity).
    """
    if log_path is None:
        fd, name = tempfile.mkstemp(prefix="local-api-", suffix=".log")
        os.close(fd)
        log_path = Path(name)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DYNAMODB_ENDPOINT"},
        "PYTHONPATH": os.pathsep.join(filter(None, [str(TOOLS_DIR), os.environ.get("PYTHONPATH")])),
        "SAM_CLI_TELEMETRY": "0",
        **(environment or {}),  # e.g. AUTH_MODE=COGNITO (local_api.identity)
    }
    command = [
        sys.executable,
        "-m",
        "local_api",
        "serve",
        f"--template={template}",
        f"--port={port}",
        f"--max-workers={max_workers}",
        "--no-prewarm",  # the tests' servers start workers as their requests need them
    ]
    if dynamodb_endpoint is not None:
        command.append(f"--dynamodb-endpoint={dynamodb_endpoint}")
    if dynamodb_port is not None:
        command.append(f"--dynamodb-port={dynamodb_port}")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent(),  # the server dies with its test run
        )
    handle = ServerHandle(process, port, log_path)
    listening = wait_until(
        lambda: process.poll() is not None or accepts_connections(port), timeout=startup_timeout
    )
    if process.poll() is not None or not listening:
        handle.stop()
        raise ServerFailedToStart(f"local API did not start on port {port}:\n{handle.log()}")
    return handle
