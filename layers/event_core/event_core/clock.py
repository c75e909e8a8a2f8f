"""Server timestamps: UTC, ISO 8601 with microseconds, so they sort as strings."""

from __future__ import annotations

from datetime import UTC, datetime


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
