"""The span of instants a listing of events is restricted to: `from` inclusive, `to` exclusive.

Each bound is an RFC 3339 date or date-time read as an event's date is (event_core.models.dates):
a date-time's own instant, a date the start of its day in UTC. So `from=2027-05-14&to=2027-05-15`
is the UTC day of 14 May, and consecutive ranges (`to` of one the `from` of the next) hold each
instant once. Instants are compared to the microsecond, as events are ordered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from event_core.clock import iso
from event_core.models import dates

_STEP = timedelta(microseconds=1)  # the precision instants are stored with


@dataclass(frozen=True, slots=True)
class DateRange:
    start: datetime | None = None  # the first instant in the range; None: from the earliest
    end: datetime | None = None  # the first instant after it; None: to the latest

    @classmethod
    def of(cls, since: str | None, until: str | None) -> DateRange:
        """The range from `since` (inclusive) to `until` (exclusive); ValueError for a bound that
        is not a date."""
        return cls(
            start=dates.instant(since) if since is not None else None,
            end=dates.instant(until) if until is not None else None,
        )

    @property
    def unbounded(self) -> bool:
        return self.start is None and self.end is None

    @property
    def reversed(self) -> bool:
        """Its end comes before its start: a range of nothing that was surely not meant."""
        return self.start is not None and self.end is not None and self.end < self.start

    @property
    def empty(self) -> bool:
        """No instant lies in it (its end is its start, or the earliest instant there is)."""
        if self.end is None:
            return False
        return self.end == datetime.min.replace(tzinfo=self.end.tzinfo) or (
            self.start is not None and self.end <= self.start
        )

    @property
    def first_key(self) -> str | None:
        """The earliest stored instant (as dateUtc text) in the range; None: no lower bound."""
        return iso(self.start) if self.start is not None else None

    @property
    def last_key(self) -> str | None:
        """The latest stored instant (as dateUtc text) in the range; None: no upper bound."""
        return iso(self.end - _STEP) if self.end is not None and not self.empty else None

    def holds(self, key: str) -> bool:
        """Whether a stored instant (dateUtc text) lies in the range."""
        if self.empty:
            return False
        first, last = self.first_key, self.last_key
        return (first is None or first <= key) and (last is None or key <= last)

    def scope(self) -> str:
        """The range as the text a page token is bound to."""
        return f"{self.first_key or ''}..{iso(self.end) if self.end is not None else ''}"
