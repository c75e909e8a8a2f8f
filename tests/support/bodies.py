"""Request bodies and ids for tests: each test makes its own data, with ids nobody else uses."""

from __future__ import annotations

import uuid
from typing import Any


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def event_body(**overrides: Any) -> dict[str, Any]:
    """A valid POST /events body with a fresh id: 5 spots, no waitlist; `overrides` replace fields."""
    body: dict[str, Any] = {
        "eventId": unique("evt"),
        "title": "Test event",
        "description": "Created by a test",
        "date": "2031-06-15",
        "location": "Room 1",
        "capacity": 5,
        "organizer": "QA",
        "waitlistEnabled": False,
    }
    body.update(overrides)
    return body
