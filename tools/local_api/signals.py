"""Stopping on Ctrl-C (SIGINT) or SIGTERM by setting an event, instead of raising an exception
at whatever line the main thread happens to run."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

LOG = logging.getLogger(__name__)
POLL_SECONDS = 0.2


@contextmanager
def stop_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT (Ctrl-C) or SIGTERM while the block runs."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        LOG.info("%s: shutting down", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def wait_for(stop: threading.Event) -> None:
    """Block until `stop` is set. Polls: a signal that the OS delivers to another thread would
    not wake a plain wait(), and Python runs handlers only in the main thread."""
    while not stop.wait(POLL_SECONDS):
        pass
