"""The one-off backfill of the listings' keys, dateUtc and statusOrganizer
(tools/backfill_event_dates.py), for events stored before them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import backfill_event_dates
import pytest

from event_core.clock import now_iso
from event_core.event_listing import list_events
from event_core.events import delete_event, update_event
from event_core.models.events import Event
from event_core.store import codec
from event_core.store import events as event_store
from tests.support.bodies import unique
from tests.support.builders import an_event
from tests.support.invariants import stored_event


def stored_before_the_change(ddb: Any, date: str, *, status: str = "active") -> str:
    """An event item as the code before dateUtc wrote it, with a date its rules accepted."""
    now = now_iso()
    event = Event.model_validate(
        {
            "eventId": unique("old"),
            "title": "Stored before",
            "description": "d",
            "date": date,
            "location": "l",
            "capacity": 5,
            "organizer": "o",
            "status": status,
            "waitlistEnabled": False,
            "createdAt": now,
            "updatedAt": now,
        }
    )
    item = codec.encode({**event.model_dump(mode="json"), "revision": 0, "waitlistSeqNext": 1})
    ddb.put_item(TableName="EventsTable", Item=item)
    return event.eventId


def listed(status: str | None = None) -> list[str]:
    return [e.eventId for e in list_events(status=status, limit=100, next_token=None).events]


def listed_by(organizer: str, status: str | None = None) -> list[str]:
    page = list_events(status=status, limit=100, next_token=None, organizer=organizer)
    return [e.eventId for e in page.events]


@pytest.mark.parametrize(
    ("date", "instant", "valid"),
    [
        ("2027-06-01", "2027-06-01T00:00:00.000000Z", True),
        ("2027-06-02T01:00:00+09:00", "2027-06-01T16:00:00.000000Z", True),
        ("2027-06-02T01:00+09:00", "2027-06-01T16:00:00.000000Z", False),  # no seconds
        ("2027-06-02T01:00:00+0900", "2027-06-01T16:00:00.000000Z", False),
        ("2027-05-14T09:30:00", "2027-05-14T09:30:00.000000Z", False),  # no offset: as if UTC
        ("2027-05-14T09", "2027-05-14T09:00:00.000000Z", False),
        ("2027-05-14T0930", "2027-05-14T09:30:00.000000Z", False),
        ("0001-01-01T00:30:00+01:00", "0001-01-01T00:00:00.000000Z", False),  # before the year 1: its day
    ],
)
def test_a_stored_date_gets_the_instant_the_old_rules_read_in_it(date, instant, valid):
    assert backfill_event_dates.old_rules_instant(date) == (instant, valid)


def test_events_stored_before_are_unlisted_until_the_backfill_then_listed_by_instant(ddb, capsys):
    # Given events stored before the change (one with a date only the old rules accepted), one
    # stored since, and an old one being deleted (a tombstone)
    tokyo = stored_before_the_change(ddb, "2027-06-02T01:00:00+09:00")  # 16:00 UTC on 1 June
    naive = stored_before_the_change(ddb, "2027-06-01T09")  # 09:00, taken as UTC
    day = stored_before_the_change(ddb, "2027-06-02")
    new = an_event(date="2027-06-01T20:00:00Z")
    gone = stored_before_the_change(ddb, "2027-06-03")
    event_store.mark_deleted(gone, now_iso(), "someone")
    assert listed() == [new]

    # When the backfill runs
    assert backfill_event_dates.main([]) == 0

    # Then every live event is listed, by instant, and the old-rules date is reported to be fixed
    assert listed() == listed("active") == [naive, tokyo, new, day]
    assert "deletedAt" in stored_event(ddb, gone)
    assert "dateUtc" not in stored_event(ddb, gone)
    out = capsys.readouterr().out
    assert "3 events got their listing keys" in out
    assert f"{naive}\t2027-06-01T09\tlisted at 2027-06-01T09:00:00.000000Z" in out
    assert tokyo not in out

    # And running it again finds nothing to do
    assert backfill_event_dates.backfill().given == []


def test_the_organizer_fixes_an_old_rules_date_by_re_saving_it(ddb):
    # Given an event whose offset-less date the backfill listed as if UTC
    event_id = stored_before_the_change(ddb, "2027-06-01T09:00:00")
    backfill_event_dates.backfill()

    # When its organizer re-saves the date with its offset
    update_event(event_id, {"date": "2027-06-01T09:00:00-07:00"})

    # Then it is listed at its real instant
    assert stored_event(ddb, event_id)["dateUtc"] == "2027-06-01T16:00:00.000000Z"


def test_a_dry_run_writes_nothing(ddb):
    event_id = stored_before_the_change(ddb, "2027-06-01")
    report = backfill_event_dates.backfill(dry_run=True)
    assert report.given == [event_id]
    assert "dateUtc" not in stored_event(ddb, event_id)
    assert listed() == []


def test_a_date_changed_by_the_functions_of_before_after_a_first_run_is_caught_up(ddb):
    # Given a backfill run before the deploy, then an event re-dated by the old functions (which
    # write the date alone), and one created by them
    moved = stored_before_the_change(ddb, "2027-06-01")
    backfill_event_dates.backfill()
    ddb.update_item(
        TableName="EventsTable",
        Key={"eventId": {"S": moved}},
        UpdateExpression="SET #date = :date",
        ExpressionAttributeNames={"#date": "date"},
        ExpressionAttributeValues={":date": {"S": "2027-08-01T10:00:00+02:00"}},
    )
    created = stored_before_the_change(ddb, "2027-07-01")

    # When it runs again after the deploy
    report = backfill_event_dates.backfill()

    # Then both are listed by their dates, and nothing else was written
    assert sorted(report.given) == sorted([moved, created])
    assert listed() == [created, moved]
    assert stored_event(ddb, moved)["dateUtc"] == "2027-08-01T08:00:00.000000Z"


def test_an_event_changed_since_it_was_read_is_left_alone(ddb):
    # Given an old event that is re-saved with a new date after the backfill read it
    event_id = stored_before_the_change(ddb, "2027-06-01")
    (read,) = event_store.listing_keys_of_live_events(start_key=None)[0]
    update_event(event_id, {"date": "2027-07-01T10:00:00+02:00"})

    # When the backfill writes the keys of what it read, then nothing is written
    assert (read.event_id, read.date, read.date_utc, read.status_organizer) == (
        event_id,
        "2027-06-01",
        None,
        None,
    )
    assert not event_store.set_listing_keys(read, instant="2027-06-01T00:00:00.000000Z")
    assert stored_event(ddb, event_id)["dateUtc"] == "2027-07-01T08:00:00.000000Z"

    # Nor over a deleted one
    delete_event(event_id)
    moved = replace(read, date="2027-07-01T10:00:00+02:00")
    assert not event_store.set_listing_keys(moved, instant="x")


@pytest.mark.parametrize("change", [{"status": "postponed"}, {"organizer": "Someone else"}])
def test_an_event_whose_status_or_organizer_changed_since_it_was_read_is_left_alone(ddb, change):
    # Given an old event, read by the backfill, then changed by the functions of now
    event_id = stored_before_the_change(ddb, "2027-06-01")
    (read,) = event_store.listing_keys_of_live_events(start_key=None)[0]
    update_event(event_id, change)

    # When the backfill writes the keys of what it read, then nothing is written: the change
    # wrote the keys of what it changed
    assert not event_store.set_listing_keys(read, instant="2027-06-01T00:00:00.000000Z")
    assert "dateUtc" not in stored_event(ddb, event_id)
    expected = event_store.status_organizer(change.get("status", "active"), change.get("organizer", "o"))
    assert stored_event(ddb, event_id)["statusOrganizer"] == expected


def test_events_stored_before_the_organizer_index_are_listed_by_organizer_after_the_backfill(ddb, capsys):
    # Given events stored with their instant but before statusOrganizer (the release before),
    # and one whose status changed under the functions of that release
    dated = stored_before_the_change(ddb, "2027-06-02")
    earlier = stored_before_the_change(ddb, "2027-06-01", status="postponed")
    backfill_event_dates.backfill()
    for event_id in (dated, earlier):
        ddb.update_item(
            TableName="EventsTable",
            Key={"eventId": {"S": event_id}},
            UpdateExpression="REMOVE statusOrganizer",
        )
    assert listed_by("o") == []

    # When the backfill runs, then they are listed by organizer (and status), and again it
    # finds nothing to do
    assert sorted(backfill_event_dates.backfill().given) == sorted([dated, earlier])
    assert listed_by("o") == [earlier, dated]
    assert listed_by("o", "postponed") == [earlier]
    assert backfill_event_dates.backfill().given == []
