"""Server timestamps: UTC, ISO 8601 with microseconds, so they sort as strings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def iso(moment: datetime) -> str:
    """A server timestamp of `moment` (an aware datetime)."""
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def now_iso() -> str:
    return iso(datetime.now(UTC))


def iso_ago(seconds: float) -> str:
    return iso(datetime.now(UTC) - timedelta(seconds=seconds))
