"""An event's date and the UTC instant it is listed by, as stored beside it (dateUtc)."""

from __future__ import annotations

import pytest

from event_core.events import update_event
from event_core.models import dates
from tests.support.builders import an_event
from tests.support.instants import instant_of
from tests.support.invariants import stored_event


@pytest.mark.parametrize(
    ("value", "instant"),
    [
        ("2027-06-01", "2027-06-01T00:00:00.000000Z"),  # a day: its start in UTC
        ("2027-06-02T01:00:00+09:00", "2027-06-01T16:00:00.000000Z"),
        ("2027-06-01T23:30:00-05:00", "2027-06-02T04:30:00.000000Z"),
        ("2027-06-01T00:00:00+14:00", "2027-05-31T10:00:00.000000Z"),
        ("2027-06-01T23:59:59-12:00", "2027-06-02T11:59:59.000000Z"),
        ("2027-06-01T12:00:00+23:59", "2027-05-31T12:01:00.000000Z"),
        ("2027-06-01T12:00:00-23:59", "2027-06-02T11:59:00.000000Z"),
        ("2027-06-01T12:00:00-00:00", "2027-06-01T12:00:00.000000Z"),
        ("2027-06-01t12:00:00z", "2027-06-01T12:00:00.000000Z"),
        ("2027-06-01T12:00:00.5Z", "2027-06-01T12:00:00.500000Z"),
        ("2027-06-01T12:00:00.123456789Z", "2027-06-01T12:00:00.123456Z"),  # to the microsecond
        ("2028-02-28T23:30:00-01:00", "2028-02-29T00:30:00.000000Z"),
        ("2027-02-28T23:30:00-01:00", "2027-03-01T00:30:00.000000Z"),
        ("2027-12-31T23:30:00-01:00", "2028-01-01T00:30:00.000000Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000Z"),
        ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"),
    ],
)
def test_the_sort_key_is_the_utc_instant_in_fixed_width(value, instant):
    assert dates.sort_key(value) == instant


def test_sort_keys_sort_as_the_instants_do():
    # Given dates whose text order differs from their order in time (offsets, fractions, days)
    values = [
        "2027-06-01T12:00:00.5Z",
        "2027-06-01T12:00:00Z",
        "2027-06-01T12:00:00.05Z",
        "2027-06-02T01:00:00+09:00",
        "2027-06-01T23:30:00-05:00",
        "2027-06-01T10:00:00-02:00",
        "2027-06-01",
        "2027-06-02",
        "2027-06-01T23:59:59+14:00",
        "0999-12-31T23:00:00-02:00",
        "1000-01-01",
    ]

    # Then ordering by the sort key is ordering by the instant
    assert sorted(values, key=dates.sort_key) == sorted(values, key=dates.instant)
    assert sorted(values, key=dates.sort_key) == sorted(values, key=instant_of)


def test_a_new_event_stores_its_date_as_sent_and_its_instant(ddb):
    event_id = an_event(date="2027-06-02t01:00:00+09:00")
    item = stored_event(ddb, event_id)
    assert (item["date"], item["dateUtc"]) == ("2027-06-02T01:00:00+09:00", "2027-06-01T16:00:00.000000Z")


def test_changing_the_date_moves_its_instant_and_other_changes_keep_it(ddb):
    # Given an event on a day
    event_id = an_event(date="2027-06-01")

    # When its date becomes a time in Tokyo, then its instant follows
    update_event(event_id, {"date": "2027-06-02T01:00:00+09:00"})
    assert stored_event(ddb, event_id)["dateUtc"] == "2027-06-01T16:00:00.000000Z"

    # And when something else changes, the instant stays
    update_event(event_id, {"title": "Renamed", "capacity": 20})
    item = stored_event(ddb, event_id)
    assert (item["date"], item["dateUtc"]) == ("2027-06-02T01:00:00+09:00", "2027-06-01T16:00:00.000000Z")
