"""Server timestamps: UTC, ISO 8601 with microseconds, so they sort as strings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def utc_iso(moment: datetime) -> str:
    """An aware datetime as fixed-width UTC text: 2027-05-14T07:30:00.000000Z."""
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def now_iso() -> str:
    return utc_iso(datetime.now(UTC))


def iso_ago(seconds: float) -> str:
    return utc_iso(datetime.now(UTC) - timedelta(seconds=seconds))
