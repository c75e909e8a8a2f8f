"""Time under the tests' control: event_core.clock.now() answers the instant the test sets."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from event_core import clock
from event_core.models.dates import instant

TICK = timedelta(microseconds=1)  # the finest step of the server's clock


class FrozenClock:
    """`event_core.clock.now()` stays at `at` until the test moves it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = clock.now()
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def set(self, moment: str | datetime) -> datetime:
        """Stop the clock at `moment` (an aware datetime, or RFC 3339 text)."""
        self.at = instant(moment) if isinstance(moment, str) else moment
        return self.at

    def just_before(self, moment: str | datetime) -> datetime:
        """Stop the clock one tick (a microsecond) before `moment`."""
        return self.set(self.set(moment) - TICK)
