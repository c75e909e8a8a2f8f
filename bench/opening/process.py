"""Processes in virtual time: a generator that yields how long it waits, resumed by the clock.

A design written this way reads like the code it models, one DynamoDB call after another:
`yield latency` is the call's round trip, `yield from` a helper is a nested call, and a helper's
return value is what the call answered.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TypeVar

from bench.opening.clock import Clock

T = TypeVar("T")
Process = Generator[float, None, T]  # yields seconds to wait, returns its result


class Runner:
    """Runs processes on a clock: each resumes when the time it yielded has passed."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def start(self, process: Process[None]) -> None:
        """Runs the process now, up to its first wait."""
        self._step(process)

    def start_at(self, when: float, process: Process[None]) -> None:
        self._clock.at(when, self._step, process)

    def _step(self, process: Process[None]) -> None:
        try:
            wait = next(process)
        except StopIteration:
            return
        self._clock.at(self._clock.now + wait, self._step, process)
