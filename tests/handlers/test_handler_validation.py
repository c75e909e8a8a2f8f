"""Request validation at the edge: every malformed request is a 422 with a FastAPI-style detail."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local_api.samples import load_sample, sample
from tests.support.invariants import read_event_state, stored_event
from tests.support.lambda_runner import Answer, invoke

BODY_ROUTES = ["create_event", "update_event", "set_waitlist", "create_user", "register"]
LIST_ROUTES = ["list_events", "list_event_registrations", "list_user_registrations"]


def sample_body(name: str) -> dict[str, Any]:
    return json.loads(load_sample(name)["body"])


def assert_422(
    answer: Answer, *, loc: list[Any] | None = None, kind: str | None = None
) -> list[dict[str, Any]]:
    """A 422 whose detail is a non-empty list of {loc, msg, type}; optionally one at loc/of kind."""
    assert answer.status == 422, answer.body
    detail = answer.body["detail"]
    assert isinstance(detail, list)
    assert detail
    for entry in detail:
        assert set(entry) == {"loc", "msg", "type"}
        assert isinstance(entry["loc"], list)
        assert entry["loc"]
        assert isinstance(entry["msg"], str)
        assert entry["msg"]
        assert isinstance(entry["type"], str)
        assert entry["type"]
    if loc is not None:
        assert loc in [e["loc"] for e in detail], detail
    if kind is not None:
        assert kind in [e["type"] for e in detail], detail
    assert answer.header("Access-Control-Allow-Origin") == "*"
    return detail


@pytest.mark.parametrize("name", BODY_ROUTES)
@pytest.mark.parametrize("raw", ["{bad", '{"title": }', "{'single': 'quotes'}"])
def test_malformed_json_is_422(ddb, name, raw):
    detail = assert_422(invoke(name, sample(name, raw_body=raw)))
    assert detail[0]["loc"][0] == "body"


@pytest.mark.parametrize("name", BODY_ROUTES)
@pytest.mark.parametrize("raw", [None, "", "[]", "null", '"text"'])
def test_missing_or_non_object_body_is_422(ddb, name, raw):
    detail = assert_422(invoke(name, sample(name, raw_body=raw)))
    assert detail[0]["loc"][0] == "body"


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("capacity", "10", "int_type"),
        ("capacity", True, "int_type"),
        ("capacity", 10.5, "int_type"),
        ("capacity", 0, "greater_than_equal"),
        ("capacity", 100_001, "less_than_equal"),
        ("waitlistEnabled", "yes", "bool_type"),
        ("waitlistEnabled", 1, "bool_type"),
        ("title", 123, "string_type"),
        ("date", 20270101, "string_type"),
        ("date", "2027-13-45", "value_error"),
        ("date", "2027-02-30", "value_error"),
        ("date", "2027-05-14T09", "value_error"),
        ("date", "2027-05-14T0930", "value_error"),
        ("date", "2027-05-14T09:30:00", "value_error"),
        ("date", "2016-12-31T23:59:60Z", "value_error"),
        ("status", "open", "literal_error"),
        ("title", "   ", "value_error"),
        ("organizer", "", "string_too_short"),
        ("title", "x" * 201, "string_too_long"),
        ("eventId", "bad id!", "string_pattern_mismatch"),
        ("eventId", ".", "string_pattern_mismatch"),
        ("eventId", "..", "string_pattern_mismatch"),
        ("eventId", 7, "string_type"),
    ],
)
def test_create_event_field_errors_are_422_at_the_field(ddb, field, value, kind):
    body = {**sample_body("create_event"), field: value}
    assert_422(invoke("create_event", sample("create_event", body=body)), loc=["body", field], kind=kind)
    assert read_event_state(ddb, body["eventId"] if field != "eventId" else "evt-sample-3").event is None


@pytest.mark.parametrize(
    ("date", "says"),
    [
        ("2027-05-14T09:30:00", "a date-time needs an offset (Z, +HH:MM or -HH:MM)"),
        ("2027-05-14T09:30+02:00", "a date-time needs seconds (HH:MM:SS)"),
        ("2027-05-14T09", "must be an RFC 3339 date (2027-05-14) or date-time with seconds and an offset"),
    ],
)
def test_a_refused_date_is_422_saying_what_is_accepted(ddb, date, says):
    body = {**sample_body("create_event"), "date": date}
    (issue,) = assert_422(invoke("create_event", sample("create_event", body=body)), loc=["body", "date"])
    assert says in issue["msg"]
    assert "2027-05-14T09:30:00+02:00" in issue["msg"]  # an example of what is accepted


@pytest.mark.parametrize("field", ["title", "description", "date", "location", "capacity", "organizer"])
def test_create_event_missing_required_field_is_422(ddb, field):
    body = {k: v for k, v in sample_body("create_event").items() if k != field}
    assert_422(invoke("create_event", sample("create_event", body=body)), loc=["body", field], kind="missing")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("capacity", "10"),
        ("capacity", True),
        ("waitlistEnabled", "yes"),
        ("date", "2027-13-45"),
        ("date", "2027-06-01T18:30+02:00"),
        ("date", "2027-06-01T18:30:00"),
        ("title", None),
        ("capacity", None),
        ("status", None),
        ("status", "archived"),
        ("title", "   "),
        ("location", ""),
        ("description", "x" * 2001),
    ],
)
def test_update_event_field_errors_are_422_and_change_nothing(ddb, field, value):
    before = read_event_state(ddb, "evt-sample-1")
    answer = invoke("update_event", sample("update_event", body={field: value}))
    assert_422(answer, loc=["body", field])
    assert read_event_state(ddb, "evt-sample-1") == before


@pytest.mark.parametrize("value", ["yes", "true", 1, None, [], {}])
def test_set_waitlist_requires_a_json_boolean(ddb, value):
    answer = invoke("set_waitlist", sample("set_waitlist", body={"waitlistEnabled": value}))
    assert_422(answer, loc=["body", "waitlistEnabled"])


def test_set_waitlist_requires_a_setting(ddb):
    answer = invoke("set_waitlist", sample("set_waitlist", body={"enabled": True}))
    assert_422(answer, loc=["body"], kind="value_error")


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({}, ["body", "name"]),
        ({"name": "   "}, ["body", "name"]),
        ({"name": ""}, ["body", "name"]),
        ({"name": 42}, ["body", "name"]),
        ({"name": "x" * 201}, ["body", "name"]),
        ({"name": "Ok", "userId": "bad id"}, ["body", "userId"]),
        ({"name": "Ok", "userId": "semi;colon"}, ["body", "userId"]),
        ({"name": "Ok", "userId": ".."}, ["body", "userId"]),
        ({"name": "Ok", "userId": "."}, ["body", "userId"]),
        ({"name": "Ok", "userId": "x" * 101}, ["body", "userId"]),
        ({"name": "Ok", "userId": 5}, ["body", "userId"]),
    ],
)
def test_create_user_errors_are_422(ddb, body, loc):
    assert_422(invoke("create_user", sample("create_user", body=body)), loc=loc)
    assert ddb.scan(TableName="UsersTable")["Count"] == 2  # only the seeded users


@pytest.mark.parametrize(
    "user_id", [None, "", "bad id", "user/1", "ü", "x" * 101, 12, ["user-sample-2"], ".", ".."]
)
def test_register_with_a_bad_user_id_in_the_body_is_422(ddb, user_id):
    body = {} if user_id is None else {"userId": user_id}
    assert_422(invoke("register", sample("register", body=body)), loc=["body", "userId"])
    assert stored_event(ddb, "evt-sample-1")["registeredCount"] == 1


@pytest.mark.parametrize("name", LIST_ROUTES)
@pytest.mark.parametrize("limit", ["0", "1001", "abc", "-1", "1.5", ""])
def test_limit_out_of_range_or_not_a_number_is_422(ddb, name, limit):
    assert_422(invoke(name, sample(name, query={"limit": limit})), loc=["query", "limit"])


@pytest.mark.parametrize("name", LIST_ROUTES)
@pytest.mark.parametrize("limit", ["1", "1000"])
def test_limit_bounds_are_accepted(ddb, name, limit):
    assert invoke(name, sample(name, query={"limit": limit})).status == 200


@pytest.mark.parametrize("status", ["open", "ACTIVE", "deleted", ""])
def test_unknown_status_filter_is_422(ddb, status):
    answer = invoke("list_events", sample("list_events", query={"status": status}))
    assert_422(answer, loc=["query", "status"], kind="literal_error")


@pytest.mark.parametrize("status", ["active", "cancelled", "completed", "postponed"])
def test_every_status_filter_is_accepted(ddb, status):
    answer = invoke("list_events", sample("list_events", query={"status": status}))
    assert answer.status == 200
    assert all(e["status"] == status for e in answer.body["events"])


def test_thousands_of_unknown_query_parameters_get_a_short_422_that_counts_the_rest(ddb):
    # Given a request with 3,000 query parameters the route does not know
    query = {f"unknown{i:04}": "x" for i in range(3000)}

    # When it is sent
    answer = invoke("list_events", sample("list_events", query=query))

    # Then the 422 lists the first 20, says how many more there are, and stays small
    detail = assert_422(answer)
    assert detail[:20] == [
        {"loc": ["query", f"unknown{i:04}"], "msg": "Unknown query parameter", "type": "extra_forbidden"}
        for i in range(20)
    ]
    assert detail[20:] == [
        {"loc": ["request"], "msg": "2980 more errors not listed", "type": "too_many_errors"}
    ]
    assert len(answer.raw["body"]) < 4096


def test_a_huge_unknown_query_parameter_name_is_echoed_shortened(ddb):
    answer = invoke("list_events", sample("list_events", query={"x" * 5000: "1"}))
    detail = assert_422(answer, kind="extra_forbidden")
    assert detail[0]["loc"] == ["query", "x" * 200 + "…"]
    assert len(answer.raw["body"]) < 1024


# ---------------------------------------------------------------- GET /events?from=&to=&organizer=


def test_events_of_an_organizer_in_a_date_range_are_listed(ddb):
    # Given the samples' two events on 10 March 2031, by two organizers
    query = {"from": "2031-03-10", "to": "2031-03-11", "organizer": "Python User Group"}

    # When one organizer's events of that UTC day are listed, then only theirs are
    answer = invoke("list_events", sample("list_events", query=query))
    assert answer.status == 200, answer.body
    assert [e["eventId"] for e in answer.body["events"]] == ["evt-sample-1"]
    assert answer.body["nextToken"] is None


@pytest.mark.parametrize(
    ("since", "until"),
    [("2027-03-11", "2027-03-10"), ("2027-03-10T00:00:00Z", "2027-03-09T23:59:59.999999Z")],
)
def test_a_range_that_ends_before_it_starts_is_422_at_to(ddb, since, until):
    answer = invoke("list_events", sample("list_events", query={"from": since, "to": until}))
    detail = assert_422(answer, loc=["query", "to"], kind="value_error")
    assert detail == [{"loc": ["query", "to"], "msg": "must not be before from", "type": "value_error"}]


@pytest.mark.parametrize("bound", ["from", "to"])
@pytest.mark.parametrize(
    "value",
    [
        "2027-05-14T09:30:00",
        "2027-02-29",
        "2027-05-14T09:30+02:00",
        "tomorrow",
        "",
        "9999-12-31T23:00:00-05:00",
    ],
)
def test_a_range_bound_that_is_not_an_rfc3339_date_is_422_at_it(ddb, bound, value):
    assert_422(invoke("list_events", sample("list_events", query={bound: value})), loc=["query", bound])


@pytest.mark.parametrize("organizer", ["", "   ", "PSF\n", "x" * 201])
def test_an_organizer_that_no_event_can_have_is_422(ddb, organizer):
    answer = invoke("list_events", sample("list_events", query={"organizer": organizer}))
    assert_422(answer, loc=["query", "organizer"])


@pytest.mark.parametrize("name", ["since", "until", "organiser", "date"])
def test_the_range_parameters_have_their_documented_names_only(ddb, name):
    answer = invoke("list_events", sample("list_events", query={name: "2027-03-10"}))
    assert_422(answer, loc=["query", name], kind="extra_forbidden")


@pytest.mark.parametrize(
    "body", [{"waitlistMode": "offer"}, {"offerHoldSeconds": 60}, {"waitlistEnabled": False}]
)
def test_set_waitlist_changes_only_the_settings_sent(ddb, body):
    before = invoke("get_event", sample("get_event")).body

    answer = invoke("set_waitlist", sample("set_waitlist", body=body))

    assert answer.status == 200, answer.body
    changed = {name for name in before if before[name] != answer.body[name]}
    assert changed - {"updatedAt"} == set(body)
    assert invoke("get_event", sample("get_event")).body == {name: answer.body[name] for name in before}
