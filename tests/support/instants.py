"""The instant an event date names, read by Python's own ISO 8601 parser: an oracle for the
listings' order that shares no code with event_core's (a day is its start in UTC)."""

from __future__ import annotations

from datetime import UTC, datetime


def instant_of(date: str) -> datetime:
    parsed = datetime.fromisoformat(date)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
