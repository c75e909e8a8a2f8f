"""Lambda workers forked from one process that has already imported the functions' libraries.

A worker started as a new interpreter spent about 0.3 s of CPU importing boto3, pydantic and
Powertools before its own handler, and a burst of requests starts many workers at once.
multiprocessing's fork server imports those libraries once (`PRELOAD`), then forks each worker
from itself, so a worker imports only its function's code and layers. The server's threads are
never forked: the fork server is a process of its own. `worker.run` then sets the worker up as
the function's sandbox.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Mapping, Sequence
from multiprocessing import forkserver, reduction
from pathlib import Path
from typing import Any

from local_api import worker

# What the template's functions import from site-packages (the layer and the code are theirs).
PRELOAD = (
    "boto3",
    "botocore.session",
    "botocore.client",
    "pydantic",
    "aws_lambda_powertools",
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.event_handler.openapi.params",
    "aws_lambda_powertools.logging",
    "aws_lambda_powertools.metrics",
    "aws_lambda_powertools.tracing",
    "aws_xray_sdk.core",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.idempotency",
    "aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event",
    "local_api.worker",
)

_context = multiprocessing.get_context("forkserver")
# Held while a worker is started, and while a caller reads a worker's exit: multiprocessing reads
# an exit code off a pipe, and starting a process polls the others' pipes from that thread.
BOOKKEEPING = threading.Lock()


def start_now() -> None:
    """Start the fork server (and multiprocessing's resource tracker, which it starts) now
    instead of with the first worker: each keeps the stdout and stderr it starts with for as
    long as this process lives, and later they may be a pipe that someone reads to its end
    (`output_filter`)."""
    _context.set_forkserver_preload(list(PRELOAD))
    forkserver.ensure_running()


class InheritedFd:
    """A file descriptor handed to the forked worker (multiprocessing passes a duplicate)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __reduce__(self) -> tuple[Any, ...]:
        return (_detach, (reduction.DupFd(self.fd),))


def _detach(duplicate: Any) -> int:
    fd: int = duplicate.detach()
    return fd


def start(
    *,
    handler: str,
    import_paths: Sequence[Path],
    environment: Mapping[str, str],
    events_fd: int,
    results_fd: int,
    log_fd: int,
) -> multiprocessing.process.BaseProcess:
    """Fork a worker for `handler`; it reads events from `events_fd`, writes results to
    `results_fd` and logs to `log_fd` (the caller keeps its own copies of all three)."""
    _context.set_forkserver_preload(list(PRELOAD))  # for the fork server's start, if still to come
    process = _context.Process(
        target=worker.run,
        name=f"lambda-worker {handler}",
        args=(
            handler,
            [str(path) for path in import_paths],
            dict(environment),
            InheritedFd(events_fd),
            InheritedFd(results_fd),
            InheritedFd(log_fd),
        ),
        daemon=True,
    )
    with BOOKKEEPING:
        process.start()
    return process
