"""Check-in invariants, a check of tests/support/invariants.py: the event's checkedInCount is the
number of its registrations with a checkedInAt, and only registered attendees are checked in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.support.invariants import EventState, event_check, read_event_state


@event_check
def check_ins_counted(client: Any, state: EventState) -> Iterator[str]:
    checked_in = [row for row in state.rows if "checkedInAt" in row]
    count = int((state.event or {}).get("checkedInCount", 0))
    if count != len(checked_in):
        yield f"checkedInCount {count} but {len(checked_in)} registrations checked in"
    for row in checked_in:
        if row["status"] != "registered":
            yield f"{row['userId']} is checked in while {row['status']}"


def assert_check_ins_consistent(client: Any, event_id: str) -> int:
    """Fail on any check-in violation; the number of attendees checked in."""
    state = read_event_state(client, event_id)
    problems = list(check_ins_counted(client, state))
    assert not problems, problems
    return sum("checkedInAt" in row for row in state.rows)
