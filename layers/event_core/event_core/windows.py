"""When registration and check-in are open: half-open intervals of instants around an event.

- Registration is open from `registrationOpensAt` (if set; else since the event was created)
  until `registrationClosesAt` (if set; else the event's start: its date's instant, a date-only
  event at 00:00 UTC that day), both RFC 3339: open at the opening instant, closed at the closing
  one. A closing after the start is allowed (late registration for a long event).
- Check-in is open from CHECK_IN_BEFORE before the event's start until CHECK_IN_AFTER after it.

An event stored under the old date rules (`2027-05-14T09`) starts where the listings place it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from event_core.errors import CheckInNotOpen, RegistrationClosed, RegistrationNotOpenYet
from event_core.models import dates

if TYPE_CHECKING:
    from event_core.models.events import Event

CHECK_IN_BEFORE = timedelta(hours=24)
CHECK_IN_AFTER = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Window:
    """[opens, closes): open at `opens` (None: from the start of time), closed from `closes`."""

    opens: datetime | None
    closes: datetime

    def before(self, at: datetime) -> bool:
        return self.opens is not None and at < self.opens

    def after(self, at: datetime) -> bool:
        return at >= self.closes


def shown(moment: datetime) -> str:
    """An instant for people: UTC, seconds (fractions only when there are some)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def registration(date: str, opens_at: str | None, closes_at: str | None) -> Window:
    """The registration window of an event with this date and these (optional) bounds."""
    closes = dates.stored_instant(closes_at if closes_at is not None else date)
    return Window(dates.stored_instant(opens_at) if opens_at is not None else None, closes)


def registration_problem(date: str, opens_at: str | None, closes_at: str | None) -> tuple[str, str] | None:
    """(field, message) if these bounds leave no time to register; None if they are fine."""
    if opens_at is None:
        return None
    window = registration(date, opens_at, closes_at)
    if window.opens is not None and window.opens < window.closes:
        return None
    if closes_at is not None:
        return "registrationOpensAt", "registrationOpensAt must be before registrationClosesAt"
    return (
        "registrationOpensAt",
        "registrationOpensAt must be before the event's start (when registration closes by default)",
    )


def registration_of(event: Event) -> Window:
    return registration(event.date, event.registrationOpensAt, event.registrationClosesAt)


def require_registration_open(event: Event, at: datetime) -> None:
    """RegistrationNotOpenYet or RegistrationClosed, saying when, unless `at` is in the window."""
    window = registration_of(event)
    if window.opens is not None and window.before(at):
        raise RegistrationNotOpenYet(f"Registration opens at {shown(window.opens)}")
    if window.after(at):
        raise RegistrationClosed(f"Registration closed at {shown(window.closes)}")


def require_check_in_open(event: Event, at: datetime) -> None:
    """CheckInNotOpen, saying when it is, unless `at` is within the check-in window."""
    start = dates.stored_instant(event.date)
    opens, closes = start - CHECK_IN_BEFORE, start + CHECK_IN_AFTER
    if not opens <= at < closes:
        raise CheckInNotOpen(f"Check-in is open from {shown(opens)} to {shown(closes)}")
