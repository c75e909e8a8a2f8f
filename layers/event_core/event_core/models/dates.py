"""An event's date: an RFC 3339 full-date, or a date-time with seconds and an offset.

The date is kept as the organizer sent it (its local wall-clock time is what attendees read);
events are ordered by the UTC instant it names (`instant`): a date-time's own instant, a
date-only value the start of its day in UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone

from event_core.clock import iso

MAX_LENGTH = 40
# RFC 3339 section 5.6 `full-date` or `date-time` ("T" and "Z" in either case, as its section 5.6
# allows), with the ranges of its section 5.7 written out, but for second 60 (a leap second)
# which no clock of ours can represent. Impossible days (2027-02-29) pass the pattern; the
# `format` of the OpenAPI schema and `_day` refuse them. Plain groups: the OpenAPI document
# carries the pattern, and JSON Schema patterns are ECMA-262 regular expressions.
PATTERN = (
    r"^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"  # year, month, day
    r"(?:[Tt]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(\.[0-9]+)?"  # hour, minute, second, fraction
    r"(?:[Zz]|([+-])([01][0-9]|2[0-3]):([0-5][0-9])))?$"  # offset: sign, hours, minutes
)
_RFC3339 = re.compile(PATTERN)
# What people send instead, for a message that says what is missing.
_NEAR_MISS = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}(?::(?P<second>[0-9]{2})(?:\.[0-9]+)?)?"
    r"(?P<offset>[Zz]|[+-][0-9]{2}:?[0-9]{2})?"
)
EXAMPLE = "2027-05-14T09:30:00+02:00"
FORMS = (
    f"an RFC 3339 date (2027-05-14) or date-time with seconds and an offset ({EXAMPLE}, 2027-05-14T07:30:00Z)"
)


def instant(value: str) -> datetime:
    """The UTC instant an event date names; ValueError, with a message for the organizer, if it
    is not one of the accepted forms or not a real day."""
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise ValueError(_what_is_wrong(value))
    year, month, day, hour, minute, second, fraction, sign, offset_hours, offset_minutes = match.groups()
    calendar_day = _day(int(year), int(month), int(day))
    if hour is None:
        return datetime.combine(calendar_day, time(), tzinfo=UTC)
    local = datetime.combine(
        calendar_day,
        time(
            int(hour),
            int(minute),
            int(second),
            int((fraction or ".")[1:7].ljust(6, "0")),  # to the microsecond, truncated
            tzinfo=_offset(sign, offset_hours, offset_minutes),
        ),
    )
    try:
        return local.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value} is outside the years 0001 to 9999 in UTC") from None


def stored_instant(value: str) -> datetime:
    """The instant of a date as stored: by today's rules, or, for one only the old rules accepted
    (`2027-05-14T09`, no offset...), as Python's ISO 8601 parser reads it, a date-time without an
    offset as if it were UTC (as `tools/backfill_event_dates.py` lists it); failing that, its day."""
    try:
        return instant(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value)
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return instant(value[:10])


def sort_key(value: str) -> str:
    """The instant as fixed-width UTC text (microseconds), which sorts as the instants do."""
    return iso(instant(value))


def canonical(value: str) -> str:
    """The date as sent, with "T" and "Z" in upper case (as ECMAScript's date format has them)."""
    instant(value)
    return value.upper()


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{year:04d}-{month:02d}-{day:02d} is not a day of the calendar") from None


def _offset(sign: str | None, hours: str | None, minutes: str | None) -> timezone:
    if sign is None or hours is None or minutes is None:  # Z
        return UTC
    size = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-size if sign == "-" else size)


def _what_is_wrong(value: str) -> str:
    near = _NEAR_MISS.fullmatch(value)
    if near is not None and near["second"] is None:
        return f"a date-time needs seconds (HH:MM:SS), as RFC 3339 requires: must be {FORMS}"
    if near is not None and near["offset"] is None:
        return f"a date-time needs an offset (Z, +HH:MM or -HH:MM), or it names no instant: must be {FORMS}"
    if near is not None and near["second"] == "60":
        return f"a leap second (:60) cannot be stored: must be {FORMS}"
    return f"must be {FORMS}"
