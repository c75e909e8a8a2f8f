"""EventBridge Scheduler's schedule expressions, as the local dispatcher needs them: when was a
schedule last due?

- `at(2027-05-14T13:00:00)`: once, at that wall-clock time in the schedule's time zone;
- `rate(5 minutes)`: every period (minute(s), hour(s), day(s)) from the schedule's start (its
  StartDate, else its creation).

`cron(...)` is not emulated (nothing in the template uses it): such a schedule is skipped, with a
warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

AT = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")
RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


class UnsupportedExpression(ValueError):
    pass


@dataclass(frozen=True)
class Expression:
    text: str
    zone: ZoneInfo

    @property
    def one_time(self) -> bool:
        return self.text.startswith("at(")

    def latest(self, now: datetime, start: datetime) -> datetime | None:
        """The last instant at or before `now` when the schedule was due (None: not yet);
        `start` is when it began (StartDate or creation)."""
        if match := AT.fullmatch(self.text):
            when = datetime.fromisoformat(match[1]).replace(tzinfo=self.zone)
            return when if when <= now else None
        if match := RATE.fullmatch(self.text):
            period = int(match[1]) * UNITS[match[2].rstrip("s")]
            if period <= timedelta(0):
                raise UnsupportedExpression(self.text)
            periods = (now - start) // period
            return start + periods * period if periods >= 1 else None
        raise UnsupportedExpression(self.text)


def parse(text: str, timezone: str | None) -> Expression:
    """The expression of a schedule, in its ScheduleExpressionTimezone (UTC by default)."""
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ValueError, LookupError) as error:
        raise UnsupportedExpression(f"time zone {timezone!r}") from error
    return Expression(text.strip(), zone)
