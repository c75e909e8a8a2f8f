"""One-off, around the deploys that add status-date-utc-index and status-organizer-date-utc-index:
give every event its listings' keys, its date's UTC instant (dateUtc) and its status and
organizer ("<status>#<organizer>", statusOrganizer), without which GET /events (and with
?organizer=) cannot list it.

    EVENTS_TABLE=<the stack's events table> python tools/backfill_event_dates.py [--dry-run]

(DYNAMODB_ENDPOINT=http://127.0.0.1:8000 for DynamoDB Local; AWS credentials and region as for
the AWS CLI.) Run it before the deploy, so that the new index holds every event from the start,
and after it, for events created or re-dated in between by the functions of before. Safe while
the API serves and to run again: it writes only an event whose keys are missing or not its
date's, status's and organizer's, and only if the event still has the date, status and organizer
it read (a re-save writes them with their keys). Exits 0.

A date valid under today's rules gets its instant. One the old rules let through gets the
instant the old parser read in it, a date-time without an offset taken as UTC, and is listed
at the end for its organizer to re-save in RFC 3339 (PUT /events/{eventId} {"date": ...}).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

if __name__ == "__main__":  # run as a script: the layer is not on the path yet
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "layers" / "event_core"))

from event_core.clock import iso
from event_core.models import dates
from event_core.store import events


@dataclass
class Report:
    given: list[str] = field(default_factory=list)  # event ids whose keys were written
    to_fix: list[tuple[str, str, str]] = field(default_factory=list)  # (id, date, instant assumed)
    changed: list[str] = field(default_factory=list)  # re-saved or deleted meanwhile: left alone


def old_rules_instant(date: str) -> tuple[str, bool]:
    """The instant to list a stored date by, and whether the date is valid under today's rules."""
    try:
        return dates.sort_key(date), True
    except ValueError:  # what the old rules accepted: Python's ISO 8601 parser, else its day
        return iso(dates.stored_instant(date)), False


def backfill(*, dry_run: bool = False) -> Report:
    report = Report()
    start_key = None
    while True:
        found, start_key = events.listing_keys_of_live_events(start_key=start_key)
        for seen in found:
            instant, valid = old_rules_instant(seen.date)
            if not valid:
                report.to_fix.append((seen.event_id, seen.date, instant))
            partition = events.status_organizer(seen.status, seen.organizer)
            if (seen.date_utc, seen.status_organizer) == (instant, partition):
                continue
            if dry_run or events.set_listing_keys(seen, instant=instant):
                report.given.append(seen.event_id)
            else:
                report.changed.append(seen.event_id)
        if start_key is None:
            return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dry-run", action="store_true", help="report what would be written, write nothing")
    args = parser.parse_args(argv)
    report = backfill(dry_run=args.dry_run)
    verb = "would get" if args.dry_run else "got"
    print(f"{len(report.given)} events {verb} their listing keys (dateUtc, statusOrganizer)")
    if report.changed:
        print(f"{len(report.changed)} changed meanwhile and were left alone: {', '.join(report.changed)}")
    if report.to_fix:
        print(
            f"{len(report.to_fix)} dates are not RFC 3339 (date, or date-time with seconds and an offset):"
            " each organizer should re-save theirs; one without an offset is listed as if UTC"
        )
        for event_id, date, instant in report.to_fix:
            print(f"  {event_id}\t{date}\tlisted at {instant}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
