"""Real parallel calls: a thread per call, all released together by one start signal."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

MIN_WORKERS = 50


def run_concurrently(calls: Sequence[Callable[[], T]], workers: int | None = None) -> list[T]:
    """Run every call at once (threads wait on a start signal) and return results in call order.

    By default there are as many threads as calls, and never fewer than MIN_WORKERS, so the
    calls really overlap instead of queueing behind a small pool.
    """
    size = workers or max(MIN_WORKERS, len(calls))
    start = threading.Event()

    def gated(call: Callable[[], T]) -> T:
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=size) as pool:
        futures = [pool.submit(gated, call) for call in calls]
        start.set()
        return [future.result() for future in futures]
