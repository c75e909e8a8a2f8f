"""Request models: what a client may send. Strict types, real dates, safe ids, bounded text."""

from __future__ import annotations

from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from pydantic import ValidationError

from event_core.events import create_event
from event_core.ids import is_valid_id, new_id
from event_core.models.events import EventCreate, EventUpdate, WaitlistSetting
from event_core.models.registrations import Registration, RegistrationRequest
from event_core.models.users import UserCreate
from tests.support.bodies import unique
from tests.support.invariants import read_event_state

VALID_EVENT: dict[str, Any] = {
    "title": "Title",
    "description": "Description",
    "date": "2027-06-01",
    "location": "Location",
    "capacity": 10,
    "organizer": "Organizer",
}


def event_with(**changes: Any) -> dict[str, Any]:
    return {**VALID_EVENT, **changes}


def error_of(exc: pytest.ExceptionInfo[ValidationError]) -> tuple[tuple[str | int, ...], str]:
    (first, *_) = exc.value.errors()
    return first["loc"], first["type"]


ACCEPTED_DATES = [
    "2027-06-01",
    "2028-02-29",
    "2000-02-29",
    "0001-01-01",
    "9999-12-31",
    "2027-06-01T18:30:00Z",
    "2027-06-01T18:30:00+02:00",
    "2027-06-01T18:30:00-00:00",
    "2027-06-01T18:30:00.1Z",
    "2027-06-01T18:30:00.123456Z",
    "2027-06-01T18:30:00.123456789+05:45",
    "2027-06-01T00:00:00+14:00",
    "2027-06-01T23:59:59-12:00",
    "2027-06-01T12:00:00+23:59",
    "2027-06-01T12:00:00-23:59",
    "2028-02-29T23:59:59Z",
]


@pytest.mark.parametrize("value", ACCEPTED_DATES)
def test_rfc3339_dates_and_date_times_with_an_offset_are_accepted(value):
    assert EventCreate.model_validate(event_with(date=value)).date == value


LOWER_CASE_DATES = [
    ("2027-06-01t18:30:00z", "2027-06-01T18:30:00Z"),
    ("2027-06-01t18:30:00+02:00", "2027-06-01T18:30:00+02:00"),
]


@pytest.mark.parametrize(("value", "kept"), LOWER_CASE_DATES)
def test_lower_case_t_and_z_are_accepted_and_kept_in_upper_case(value, kept):
    assert EventCreate.model_validate(event_with(date=value)).date == kept


REFUSED_DATES = [
    "2027-13-45",
    "2027-02-29",
    "1900-02-29",
    "2100-02-29",
    "0000-01-01",
    "2027-00-10",
    "2027-06-31",
    "2027/06/01",
    "01-06-2027",
    "20270601",
    "2027-6-1",
    "2027-06-01 18:30:00Z",
    "2027-06-01T25:00:00Z",
    "2027-06-01T24:00:00Z",
    "2027-06-01T18:61:00Z",
    "2027-06-01T18:30:00+25:00",
    "2027-06-01T18:30:00+24:00",
    "2027-06-01T18:30:00+02:60",
    "2027-06-01T18:30:00+0200",
    "2027-06-01T18:30:00+02",
    "2027-06-01T18:30:00.Z",
    "2027-06-01T18:30:00,5Z",
    "2027-06-01T18:30:00ZZ",
    "2027-06-01T18:30:00 Z",
    "2027-06-01Tnoon",
    "2027-06-01T",
    "2027-06-01Z",
    "tomorrow",
    "",
    "2027-06-01\n",
    " 2027-06-01",
    "\uff12\uff10\uff12\uff17-06-01",  # full-width digits
    "\u0662\u0660\u0662\u0667-06-01",  # Arabic-Indic digits
    "2027-06-01T18:30:00.000000000000000000000000000Z",
]
# The one refusal the OpenAPI schema cannot express (its description says it)
OUTSIDE_UTC_YEARS = [
    "0001-01-01T00:30:00+01:00",  # 23:30 UTC on the day before the year 1
    "9999-12-31T23:30:00-01:00",  # 00:30 UTC in the year 10000
]


@pytest.mark.parametrize("value", REFUSED_DATES + OUTSIDE_UTC_YEARS)
def test_impossible_or_non_rfc3339_dates_are_rejected(value):
    with pytest.raises(ValidationError) as raised:
        EventCreate.model_validate(event_with(date=value))
    loc, kind = error_of(raised)
    assert loc == ("date",)
    assert kind in {"value_error", "string_too_long"}


def test_the_documented_date_schema_accepts_exactly_what_is_accepted():
    # Given the schema the OpenAPI document publishes for the date, formats checked
    schema = EventCreate.model_json_schema()["properties"]["date"]
    validator = jsonschema.Draft202012Validator
    checker = validator(schema, format_checker=validator.FORMAT_CHECKER)

    # Then it agrees with the API on every accepted and refused date, its examples accepted
    accepted = ACCEPTED_DATES + [sent for sent, _ in LOWER_CASE_DATES] + schema["examples"]
    assert [v for v in accepted if not checker.is_valid(v)] == []
    assert [v for v in REFUSED_DATES if checker.is_valid(v)] == []
    for example in schema["examples"]:
        assert EventCreate.model_validate(event_with(date=example)).date == example


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("2027-05-14T09:30:00", "needs an offset"),
        ("2027-05-14T09:30:00.5", "needs an offset"),
        ("2027-05-14T09:30", "needs seconds"),
        ("2027-05-14T09:30Z", "needs seconds"),
        ("2027-05-14T09:30+02:00", "needs seconds"),
        ("2016-12-31T23:59:60Z", "leap second"),
        ("2027-02-29", "2027-02-29 is not a day of the calendar"),
        ("2027-02-29T10:00:00Z", "2027-02-29 is not a day of the calendar"),
        ("2027-05-14T09", "must be an RFC 3339 date (2027-05-14) or date-time with seconds and an offset"),
        ("2027-05-14T0930", "must be an RFC 3339 date (2027-05-14) or date-time with seconds and an offset"),
        ("0001-01-01T00:30:00+01:00", "outside the years 0001 to 9999 in UTC"),
    ],
)
def test_a_refused_date_says_what_is_wrong(value, problem):
    with pytest.raises(ValidationError) as raised:
        EventCreate.model_validate(event_with(date=value))
    (issue,) = raised.value.errors()
    assert issue["loc"] == ("date",)
    assert problem in issue["msg"]


@pytest.mark.parametrize("value", ["2027-W23-2", "2027-W23-2T18:30:00Z", "2027-152", "2027-152T18:30:00Z"])
def test_iso_week_and_ordinal_dates_are_rejected(value):
    """RFC 3339 has neither; only calendar dates name their instant in the listings' order."""
    with pytest.raises(ValidationError) as raised:
        EventCreate.model_validate(event_with(date=value))
    assert error_of(raised)[0] == ("date",)


@pytest.mark.parametrize("value", [20270601, None, ["2027-06-01"]])
def test_date_must_be_a_string(value):
    with pytest.raises(ValidationError):
        EventCreate.model_validate(event_with(date=value))


@pytest.mark.parametrize(
    "value",
    [
        "evt-1",
        "a",
        "A_b.c:d-9",
        "x" * 100,
        "3f2b8c1e-9a4d-4c55-8e0f-2b7d9c6a1e44",
        ".a",
        "a.",
        "..a",
        "a..b",
        "-.-",
    ],
)
def test_ids_from_the_safe_alphabet_are_accepted(value):
    assert is_valid_id(value)
    assert EventCreate.model_validate(event_with(eventId=value)).eventId == value
    assert UserCreate.model_validate({"userId": value, "name": "n"}).userId == value
    assert RegistrationRequest.model_validate({"userId": value}).userId == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "x" * 101,
        "has space",
        "slash/y",
        "hash#",
        "quote'",
        "évt",
        "tab\t",
        "line\n",
        "evt-1\n",
        "a*b",
        "{id}",
        ".",
        "..",
        "...",
        "." * 100,
    ],
)
def test_ids_outside_the_safe_alphabet_are_rejected(value):
    assert not is_valid_id(value)
    with pytest.raises(ValidationError):
        EventCreate.model_validate(event_with(eventId=value))
    with pytest.raises(ValidationError):
        UserCreate.model_validate({"userId": value, "name": "n"})
    with pytest.raises(ValidationError):
        RegistrationRequest.model_validate({"userId": value})


@pytest.mark.parametrize(
    ("field", "limit"), [("title", 200), ("description", 2000), ("location", 500), ("organizer", 200)]
)
def test_text_fields_have_length_limits(field, limit):
    assert EventCreate.model_validate(event_with(**{field: "x" * limit}))
    with pytest.raises(ValidationError) as raised:
        EventCreate.model_validate(event_with(**{field: "x" * (limit + 1)}))
    assert error_of(raised) == ((field,), "string_too_long")


@pytest.mark.parametrize("field", ["title", "description", "location", "organizer"])
@pytest.mark.parametrize("value", ["", "   ", "\t\n"])
def test_text_fields_must_not_be_blank(field, value):
    with pytest.raises(ValidationError):
        EventCreate.model_validate(event_with(**{field: value}))
    with pytest.raises(ValidationError):
        EventUpdate.model_validate({field: value})


@pytest.mark.parametrize("value", ["", "   ", "x" * 201])
def test_user_name_is_required_non_blank_and_bounded(value):
    assert UserCreate.model_validate({"name": "x" * 200}).userId is None
    with pytest.raises(ValidationError):
        UserCreate.model_validate({"name": value})
    with pytest.raises(ValidationError):
        UserCreate.model_validate({})


@pytest.mark.parametrize("value", [1, 100_000])
def test_capacity_bounds_accepted(value):
    assert EventCreate.model_validate(event_with(capacity=value)).capacity == value


@pytest.mark.parametrize("value", [0, -1, 100_001, "10", True, 10.0, 10.5, None])
def test_capacity_must_be_a_strict_integer_in_range(value):
    with pytest.raises(ValidationError) as raised:
        EventCreate.model_validate(event_with(capacity=value))
    assert error_of(raised)[0] == ("capacity",)


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, None])
def test_waitlist_flag_must_be_a_json_boolean(value):
    with pytest.raises(ValidationError):
        EventCreate.model_validate(event_with(waitlistEnabled=value))
    with pytest.raises(ValidationError):
        WaitlistSetting.model_validate({"waitlistEnabled": value})
    with pytest.raises(ValidationError):
        EventUpdate.model_validate({"waitlistEnabled": value})


@pytest.mark.parametrize("field", sorted(VALID_EVENT))
def test_every_event_field_is_required_on_create(field):
    body = {k: v for k, v in VALID_EVENT.items() if k != field}
    with pytest.raises(ValidationError) as raised:
        EventCreate.model_validate(body)
    assert error_of(raised) == ((field,), "missing")


def test_create_defaults():
    created = EventCreate.model_validate(VALID_EVENT)
    assert (created.status, created.waitlistEnabled, created.eventId) == ("active", False, None)


@pytest.mark.parametrize("value", ["open", "Active", "deleted", ""])
def test_unknown_status_is_rejected(value):
    with pytest.raises(ValidationError):
        EventCreate.model_validate(event_with(status=value))
    with pytest.raises(ValidationError):
        EventUpdate.model_validate({"status": value})


def test_server_owned_fields_in_a_create_body_are_ignored(ddb):
    # Given a create body that tries to set counters, timestamps and internals
    body = event_with(
        eventId=unique("evt"),
        registeredCount=99,
        waitlistCount=5,
        createdAt="2000-01-01T00:00:00Z",
        updatedAt="2000-01-01T00:00:00Z",
        revision=7,
        waitlistSeqNext=42,
        deletedAt="2000-01-01T00:00:00Z",
    )

    # When the event is created
    event = create_event(EventCreate.model_validate(body))

    # Then the server's values win, in the response and in the table
    assert (event.registeredCount, event.waitlistCount) == (0, 0)
    assert event.createdAt == event.updatedAt > "2020"
    stored = read_event_state(ddb, event.eventId).event
    assert stored is not None
    assert (stored["registeredCount"], stored["waitlistCount"]) == (0, 0)
    assert (stored["revision"], stored["waitlistSeqNext"]) == (0, 1)
    assert "deletedAt" not in stored


@pytest.mark.parametrize(
    "field", ["title", "description", "date", "location", "capacity", "organizer", "status"]
)
def test_update_fields_may_not_be_null(field):
    with pytest.raises(ValidationError) as raised:
        EventUpdate.model_validate({field: None})
    assert error_of(raised)[0] == (field,)


def test_update_changes_hold_only_what_was_sent_and_editable():
    update = EventUpdate.model_validate({"title": "New", "capacity": 5, "registeredCount": 0, "eventId": "x"})
    assert update.changes() == {"title": "New", "capacity": 5}
    assert EventUpdate.model_validate({"registeredCount": 3}).changes() == {}
    assert EventUpdate.model_validate({}).changes() == {}


def test_update_validates_like_create():
    with pytest.raises(ValidationError):
        EventUpdate.model_validate({"date": "2027-13-45"})
    with pytest.raises(ValidationError):
        EventUpdate.model_validate({"date": "2027-06-01T10:00:00"})
    with pytest.raises(ValidationError):
        EventUpdate.model_validate({"capacity": 0})
    assert EventUpdate.model_validate({"date": "2027-06-01T10:00:00Z"}).changes() == {
        "date": "2027-06-01T10:00:00Z"
    }


def test_registration_shape_shows_position_only_when_waiting():
    waiting = Registration(eventId="e", userId="u", status="waitlisted", registeredAt="t", waitlistPosition=2)
    confirmed = Registration(eventId="e", userId="u", status="registered", registeredAt="t")
    assert waiting.model_dump()["waitlistPosition"] == 2
    assert "waitlistPosition" not in confirmed.model_dump()
    assert "waitlistPosition" not in confirmed.model_dump_json()


def test_generated_ids_are_valid_and_distinct():
    ids = {new_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(is_valid_id(i) for i in ids)
