"""Server time: `now()` is the one source of "now" for the rules (tests replace it), and server
timestamps are UTC, ISO 8601 with microseconds, so they sort as strings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """A server timestamp of `moment` (an aware datetime)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def now_iso() -> str:
    return iso(now())


def iso_ago(seconds: float) -> str:
    return iso(now() - timedelta(seconds=seconds))
