"""Virtual time: a heap of things to do at a given modeled second, run in order."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class Clock:
    """A deterministic event loop: equal times run in the order they were scheduled."""

    def __init__(self) -> None:
        self.now = 0.0
        self._queue: list[tuple[float, int, Callable[[Any], None], Any]] = []
        self._order = itertools.count()
        self.steps = 0

    def at(self, when: float, action: Callable[[T], None], arg: T) -> None:
        heapq.heappush(self._queue, (when, next(self._order), action, arg))

    def run(self) -> None:
        queue, pop = self._queue, heapq.heappop
        steps = 0
        while queue:
            when, _, action, arg = pop(queue)
            self.now = when
            action(arg)
            steps += 1
        self.steps += steps
