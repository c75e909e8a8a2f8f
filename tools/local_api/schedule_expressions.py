"""EventBridge Scheduler's schedule expressions, as the local dispatcher needs them: when was a
schedule last due?

- `at(2027-05-14T13:00:00)`: once, at that wall-clock time in the schedule's time zone;
- `rate(5 minutes)`: every period (minute(s), hour(s), day(s)) from the schedule's start (its
  StartDate, else its creation);
- `cron(minutes hours day-of-month month day-of-week year)`: AWS's six fields, with `*`, `?`,
  lists, ranges, steps and names (JAN, MON); `L`, `W` and `#` are not supported locally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

AT = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")
RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
CRON = re.compile(r"cron\(([^)]*)\)")
UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")  # AWS: 1 is Sunday
# (lowest, highest, names from the lowest on) of the six cron fields
CRON_FIELDS = ((0, 59, ()), (0, 23, ()), (1, 31, ()), (1, 12, MONTHS), (1, 7, DAYS), (1970, 2199, ()))


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
        `start` is when it began (StartDate or creation). Cron is checked at minute `now`."""
        if match := AT.fullmatch(self.text):
            when = datetime.fromisoformat(match[1]).replace(tzinfo=self.zone)
            return when if when <= now else None
        if match := RATE.fullmatch(self.text):
            period = int(match[1]) * UNITS[match[2].rstrip("s")]
            if period <= timedelta(0):
                raise UnsupportedExpression(self.text)
            periods = (now - start) // period
            return start + periods * period if periods >= 1 else None
        if match := CRON.fullmatch(self.text):
            minute = now.astimezone(self.zone).replace(second=0, microsecond=0)
            return minute if cron_matches(match[1], minute) else None
        raise UnsupportedExpression(self.text)


def parse(text: str, timezone: str | None) -> Expression:
    """The expression of a schedule, in its ScheduleExpressionTimezone (UTC by default)."""
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ValueError, LookupError) as error:
        raise UnsupportedExpression(f"time zone {timezone!r}") from error
    return Expression(text.strip(), zone)


def cron_matches(fields: str, moment: datetime) -> bool:
    values = fields.split()
    if len(values) != len(CRON_FIELDS):
        raise UnsupportedExpression(f"cron({fields}): six fields expected")
    weekday = (moment.isoweekday() % 7) + 1  # Sunday 1 ... Saturday 7
    actual = (moment.minute, moment.hour, moment.day, moment.month, weekday, moment.year)
    return all(
        _field_matches(value, now, spec) for value, now, spec in zip(values, actual, CRON_FIELDS, strict=True)
    )


def _field_matches(field: str, value: int, spec: tuple[int, int, tuple[str, ...]]) -> bool:
    return field in ("*", "?") or any(_part_matches(part, value, spec) for part in field.split(","))


def _part_matches(part: str, value: int, spec: tuple[int, int, tuple[str, ...]]) -> bool:
    lowest, highest, names = spec
    span, _, step = part.partition("/")
    first, _, last = span.partition("-")
    low = lowest if first == "*" else _number(first, lowest, names)
    high = (highest if first == "*" or step else low) if not last else _number(last, lowest, names)
    every = int(step) if step else 1
    return low <= value <= high and (value - low) % every == 0


def _number(token: str, lowest: int, names: tuple[str, ...]) -> int:
    if token.upper() in names:
        return lowest + names.index(token.upper())
    if not token.isdigit():
        raise UnsupportedExpression(f"cron token {token!r}")
    return int(token)
