"""Stream record -> domain events: the rules of event_core.domain_events.changes, one by one."""

from __future__ import annotations

from typing import Any

import pytest

from event_core.domain_events.changes import ORGANIZER_FIELDS, StreamChange, domain_events
from event_core.domain_events.models import (
    CheckedIn,
    EventCancelled,
    EventDeleted,
    EventUpdated,
    PromotedFromWaitlist,
    RegistrationConfirmed,
    Unregistered,
    Waitlisted,
)
from event_core.models.events import EventCreate

from .records import event_item, promoted, registration

RECORDED_AT = "2027-01-15T08:00:00.000000Z"
EVENT_CREATED = "2027-01-01T09:00:00.000000Z"


def change(
    table: str,
    kind: str,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    record_id: str = "rec-1",
) -> StreamChange:
    return StreamChange(table, kind, record_id, old or {}, new or {}, RECORDED_AT)  # type: ignore[arg-type]


def live(created_at: str | None = EVENT_CREATED):
    return lambda event_id: created_at


def no_lookup(event_id: str) -> str | None:
    raise AssertionError("only removals of registrations look the event up")


def payloads(events) -> list[tuple[str, dict[str, Any]]]:
    return [(e.type, e.data.model_dump()) for e in events]


# ------------------------------------------------------------------ registrations


def test_a_confirmed_registration_is_registration_confirmed():
    # Given a registration row inserted as registered
    row = registration("ev1", "ana")

    # When its INSERT record is mapped
    (event,) = domain_events(change("registrations", "INSERT", new=row), no_lookup)

    # Then it is RegistrationConfirmed, at the time of registering
    assert isinstance(event, RegistrationConfirmed)
    assert event.data.model_dump() == {"eventId": "ev1", "userId": "ana", "registeredAt": row["registeredAt"]}
    assert event.occurredAt == row["registeredAt"]
    assert event.version == 1


def test_joining_the_waitlist_is_waitlisted():
    row = registration("ev1", "ben", status="waitlisted")

    (event,) = domain_events(change("registrations", "INSERT", new=row), no_lookup)

    assert isinstance(event, Waitlisted)
    assert event.data.userId == "ben"
    assert event.occurredAt == row["registeredAt"]


def test_waiting_to_registered_is_promoted_from_waitlist():
    waiting = registration("ev1", "cleo", status="waitlisted")
    now_registered = promoted(waiting, promoted_at="2027-01-12T12:00:00.000000Z")

    (event,) = domain_events(change("registrations", "MODIFY", waiting, now_registered), no_lookup)

    assert isinstance(event, PromotedFromWaitlist)
    assert event.data.model_dump() == {
        "eventId": "ev1",
        "userId": "cleo",
        "registeredAt": waiting["registeredAt"],
        "promotedAt": "2027-01-12T12:00:00.000000Z",
    }
    assert event.occurredAt == "2027-01-12T12:00:00.000000Z"


def test_checking_an_attendee_in_is_checked_in():
    row = registration("ev1", "ana")
    at_the_door = {**row, "checkedInAt": "2027-05-14T12:30:00.000000Z"}

    (event,) = domain_events(change("registrations", "MODIFY", row, at_the_door), no_lookup)

    assert isinstance(event, CheckedIn)
    assert event.data.model_dump() == {
        "eventId": "ev1",
        "userId": "ana",
        "registeredAt": row["registeredAt"],
        "checkedInAt": "2027-05-14T12:30:00.000000Z",
    }
    assert event.occurredAt == "2027-05-14T12:30:00.000000Z"
    # a later change of the row (none today) would not check them in again
    assert domain_events(change("registrations", "MODIFY", at_the_door, {**at_the_door}), no_lookup) == []


def test_other_changes_to_a_registration_publish_nothing():
    row = registration("ev1", "ana")
    assert domain_events(change("registrations", "MODIFY", row, {**row, "note": "x"}), no_lookup) == []


@pytest.mark.parametrize("status", ["registered", "waitlisted"])
def test_leaving_a_live_event_is_unregistered_with_the_place_given_up(status):
    row = registration("ev1", "dan", status=status)

    (event,) = domain_events(change("registrations", "REMOVE", old=row), live())

    assert isinstance(event, Unregistered)
    assert event.data.model_dump() == {
        "eventId": "ev1",
        "userId": "dan",
        "registeredAt": row["registeredAt"],
        "previousStatus": status,
    }
    assert event.occurredAt == RECORDED_AT  # the row is gone: the record's time is all there is


def test_registrations_removed_with_their_deleted_event_publish_nothing():
    # Given the event is tombstoned or already gone (the lookup sees no live event)
    row = registration("ev1", "dan")

    # Then the removal is the delete's cascade: EventDeleted covers it
    assert domain_events(change("registrations", "REMOVE", old=row), live(None)) == []


def test_removals_from_an_earlier_event_with_the_same_id_publish_nothing():
    # Given the event was deleted and created again before the cascade's records were processed
    row = registration("ev1", "dan")  # signed up 2027-01-10
    recreated = "2027-01-11T00:00:00.000000Z"

    assert domain_events(change("registrations", "REMOVE", old=row), live(recreated)) == []


def test_the_lookup_is_made_for_the_removed_registrations_event():
    asked: list[str] = []

    domain_events(change("registrations", "REMOVE", old=registration("ev-42", "x")), asked.append)

    assert asked == ["ev-42"]


# ------------------------------------------------------------------ events


def test_creating_an_event_publishes_nothing():
    assert domain_events(change("events", "INSERT", new=event_item("ev1")), no_lookup) == []


def test_counter_changes_from_registrations_publish_nothing():
    before = event_item("ev1")
    after = {**before, "registeredCount": 1, "waitlistCount": 1, "waitlistSeqNext": 2, "checkedInCount": 1}

    assert domain_events(change("events", "MODIFY", before, after), no_lookup) == []


def test_organizer_edits_are_event_updated_with_old_and_new_values():
    before = event_item("ev1")
    after = {
        **before,
        "title": "PyCon US",
        "capacity": 5,
        "registeredCount": 2,
        "revision": 1,
        "updatedAt": "2027-02-01T10:00:00.000000Z",
    }

    (event,) = domain_events(change("events", "MODIFY", before, after), no_lookup)

    assert isinstance(event, EventUpdated)
    assert event.data.model_dump() == {
        "eventId": "ev1",
        "changes": {"title": {"old": "PyCon", "new": "PyCon US"}, "capacity": {"old": 2, "new": 5}},
    }
    assert event.occurredAt == "2027-02-01T10:00:00.000000Z"


def test_switching_the_waitlist_is_an_event_update():
    before = event_item("ev1")

    (event,) = domain_events(
        change("events", "MODIFY", before, {**before, "waitlistEnabled": False}), no_lookup
    )

    assert event.data.model_dump()["changes"] == {"waitlistEnabled": {"old": True, "new": False}}


def test_cancelling_is_event_cancelled_only():
    before = event_item("ev1", registeredCount=2, waitlistCount=1)
    after = {**before, "status": "cancelled", "updatedAt": "2027-02-02T10:00:00.000000Z"}

    (event,) = domain_events(change("events", "MODIFY", before, after), no_lookup)

    assert isinstance(event, EventCancelled)
    assert event.data.model_dump() == {
        "eventId": "ev1",
        "title": "PyCon",
        "date": "2027-05-14",
        "previousStatus": "active",
        "registeredCount": 2,
        "waitlistCount": 1,
    }
    assert event.occurredAt == "2027-02-02T10:00:00.000000Z"


def test_cancelling_and_editing_in_one_write_is_cancelled_then_updated_without_the_status():
    before = event_item("ev1")
    after = {**before, "status": "cancelled", "location": "Online"}

    events = domain_events(change("events", "MODIFY", before, after), no_lookup)

    assert [e.type for e in events] == ["EventCancelled", "EventUpdated"]
    assert events[1].data.model_dump()["changes"] == {"location": {"old": "Pittsburgh", "new": "Online"}}


def test_reopening_a_cancelled_event_is_an_event_update():
    before = event_item("ev1", status="cancelled")

    (event,) = domain_events(change("events", "MODIFY", before, {**before, "status": "active"}), no_lookup)

    assert event.data.model_dump()["changes"] == {"status": {"old": "cancelled", "new": "active"}}


def test_the_tombstone_is_event_deleted_with_the_last_state():
    before = event_item("ev1", status="cancelled", registeredCount=2, waitlistCount=1)
    tombstone = {k: v for k, v in before.items() if k != "status"}
    tombstone |= {"deletedAt": "2027-03-01T10:00:00.000000Z", "deletedBy": "owner-1"}

    (event,) = domain_events(change("events", "MODIFY", before, tombstone), no_lookup)

    assert isinstance(event, EventDeleted)
    assert event.data.model_dump() == {
        "eventId": "ev1",
        "title": "PyCon",
        "date": "2027-05-14",
        "lastStatus": "cancelled",
        "registeredCount": 2,
        "waitlistCount": 1,
        "deletedAt": "2027-03-01T10:00:00.000000Z",
    }
    assert event.occurredAt == "2027-03-01T10:00:00.000000Z"


def test_a_delete_adopting_a_stale_tombstone_and_the_tombstones_removal_publish_nothing():
    tombstone = event_item("ev1", deletedAt="2027-03-01T10:00:00.000000Z", deletedBy="a")
    adopted = {**tombstone, "deletedAt": "2027-03-01T10:05:00.000000Z", "deletedBy": "b"}

    assert domain_events(change("events", "MODIFY", tombstone, adopted), no_lookup) == []
    assert domain_events(change("events", "REMOVE", old=adopted), no_lookup) == []


def test_removing_a_live_event_item_directly_is_still_event_deleted():
    (event,) = domain_events(change("events", "REMOVE", old=event_item("ev1")), no_lookup)

    assert isinstance(event, EventDeleted)
    assert event.data.deletedAt == RECORDED_AT


# ------------------------------------------------------------------ ids


def test_ids_are_stable_per_record_and_type_and_distinct_otherwise():
    row = registration("ev1", "ana")
    first = domain_events(change("registrations", "INSERT", new=row, record_id="r1"), no_lookup)
    again = domain_events(change("registrations", "INSERT", new=row, record_id="r1"), no_lookup)
    other = domain_events(change("registrations", "INSERT", new=row, record_id="r2"), no_lookup)

    assert [e.id for e in first] == [e.id for e in again]
    assert first[0].id != other[0].id

    before = event_item("ev1")
    both = domain_events(
        change("events", "MODIFY", before, {**before, "status": "cancelled", "title": "X"}), no_lookup
    )
    assert len({e.id for e in both}) == 2


def test_organizer_fields_are_the_fields_an_organizer_sends():
    assert set(ORGANIZER_FIELDS) == set(EventCreate.model_fields) - {"eventId"}
