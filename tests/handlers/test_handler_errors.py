"""The error contract of every route: status codes, JSON shapes and CORS, never a 500 for bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from event_core import admission
from event_core.store import retry
from event_core.store.transactions import TransactionCancelled
from local_api.samples import load_sample, sample
from tests.handlers.test_handler_samples import EXPECTED
from tests.support.invariants import assert_invariants, read_event_state, stored_event
from tests.support.lambda_runner import ORIGIN, Answer, invoke

PATH_ROUTES: dict[str, list[str]] = {
    "get_event": ["eventId"],
    "update_event": ["eventId"],
    "delete_event": ["eventId"],
    "set_waitlist": ["eventId"],
    "register": ["eventId"],
    "list_event_registrations": ["eventId"],
    "unregister": ["eventId", "userId"],
    "get_user": ["userId"],
    "list_user_registrations": ["userId"],
}
BODY_ROUTES = ["create_event", "update_event", "set_waitlist", "create_user", "register"]
LIST_ROUTES = ["list_events", "list_event_registrations", "list_user_registrations"]
ROUTE_PARAMS = [(name, param) for name, params in PATH_ROUTES.items() for param in params]
NOT_FOUND = {
    "eventId": "Event not found",
    "userId": "User not found",
}


def assert_detail(answer: Answer, status: int, detail: str) -> None:
    expected: dict[str, Any] = {"detail": detail}
    if status >= 500:  # a 5xx names the request (API Gateway's request id), for support
        expected["requestId"] = answer.body.get("requestId") or "<missing>"
        assert answer.body.get("requestId"), answer.body
    assert (answer.status, answer.body) == (status, expected)
    assert answer.header("Content-Type") == "application/json"
    assert answer.header("Access-Control-Allow-Origin") == "*"


def expected_not_found(name: str, param: str) -> str:
    if name == "unregister":
        # An unknown event is "Event not found"; an unknown user of a real event is "not registered".
        return "Event not found" if param == "eventId" else "Not registered for this event"
    return NOT_FOUND[param]


# ------------------------------------------------------------------ 404


@pytest.mark.parametrize(("name", "param"), ROUTE_PARAMS)
def test_unknown_ids_are_404_with_the_entity_named(ddb, name, param):
    answer = invoke(name, sample(name, path_params={param: f"{param}-nobody-knows"}))
    assert_detail(answer, 404, expected_not_found(name, param))


def test_registering_an_unknown_user_is_404_user_not_found(ddb):
    answer = invoke("register", sample("register", body={"userId": "user-nobody-knows"}))
    assert_detail(answer, 404, "User not found")
    assert assert_invariants(ddb, "evt-sample-1").registered == ["user-sample-1"]


def test_unregistering_someone_not_registered_is_404(ddb):
    answer = invoke("unregister", sample("unregister", path_params={"userId": "user-sample-2"}))
    assert_detail(answer, 404, "Not registered for this event")


# Characters a path segment can carry that the id alphabet forbids.
BAD_SEGMENT_IDS = ["bad id", "bad$id", "évt", "a" * 101, "a%20b", "a+b", "a<b>", "a(b)", "a|b", "a'b"]


@pytest.mark.parametrize("bad_id", BAD_SEGMENT_IDS)
@pytest.mark.parametrize(("name", "param"), ROUTE_PARAMS)
def test_ids_with_bad_characters_in_the_path_are_404(ddb, name, param, bad_id):
    answer = invoke(name, sample(name, path_params={param: bad_id}))
    expected = "Not registered for this event" if name == "unregister" else NOT_FOUND[param]
    assert_detail(answer, 404, expected)


def store_copy(ddb: Any, table: str, key: dict[str, str], **changes: str) -> None:
    """Behind the API's back: the item at `key` stored again with some attributes changed."""
    item = ddb.get_item(TableName=table, Key={k: {"S": v} for k, v in key.items()})["Item"]
    ddb.put_item(TableName=table, Item={**item, **{k: {"S": v} for k, v in changes.items()}})


@pytest.mark.parametrize("dot_id", [".", "..", "..."])
@pytest.mark.parametrize("encoded", [False, True], ids=["literal", "percent-encoded"])
@pytest.mark.parametrize(("name", "param"), ROUTE_PARAMS)
def test_ids_made_of_dots_in_the_path_are_404_even_if_stored(ddb, name, param, dot_id, encoded):
    # Given an event, a user and registrations stored under the id before ids refused it
    row = {"eventId": "evt-sample-1", "userId": "user-sample-1"}
    store_copy(ddb, "EventsTable", {"eventId": "evt-sample-1"}, eventId=dot_id)
    store_copy(ddb, "UsersTable", {"userId": "user-sample-1"}, userId=dot_id)
    store_copy(ddb, "RegistrationsTable", row, eventId=dot_id)
    store_copy(ddb, "RegistrationsTable", row, userId=dot_id)
    before = read_event_state(ddb, dot_id), read_event_state(ddb, "evt-sample-1")

    # When the id arrives as a path parameter: as sent with `curl --path-as-is`, or as `%2E%2E`
    # (API Gateway passes the path still encoded, the parameter decoded)
    event = sample(name, path_params={param: dot_id})
    if encoded:
        event["path"] = event["path"].replace(f"/{dot_id}", "/" + "%2E" * len(dot_id))
    answer = invoke(name, event)

    # Then it is a 404, like any id that cannot exist, and nothing changed
    expected = "Not registered for this event" if name == "unregister" else NOT_FOUND[param]
    assert_detail(answer, 404, expected)
    assert (read_event_state(ddb, dot_id), read_event_state(ddb, "evt-sample-1")) == before


@pytest.mark.parametrize(("name", "param"), ROUTE_PARAMS)
def test_path_ids_the_router_cannot_match_are_404_not_500(ddb, name, param):
    # Given an id with a character outside the router's path-segment alphabet, in a decoded path
    # (`sam local start-api` decodes: GET /events/evt%221 arrives as path '/events/evt"1')
    event = sample(name, path_params={param: 'evt"1'})

    # When it is invoked
    answer = invoke(name, event)

    # Then it is a 404 like any other unknown id, not an internal error
    assert answer.status == 404, answer.body
    assert answer.header("Access-Control-Allow-Origin") == "*"


@pytest.mark.parametrize("bad_id", ["a#b", "a`b", "a?b", "a\\b"])
def test_get_event_with_unroutable_characters_is_404_not_500(ddb, bad_id):
    answer = invoke("get_event", sample("get_event", path_params={"eventId": bad_id}))
    assert answer.status == 404, answer.body


@pytest.mark.parametrize(("name", "param"), [("get_event", "eventId"), ("get_user", "userId")])
def test_percent_encoded_path_finds_ids_with_a_colon(ddb, name, param):
    # Given an event and a user whose ids contain ':' (allowed in ids)
    body = {**json.loads(load_sample("create_event")["body"]), "eventId": "org:42"}
    assert invoke("create_event", sample("create_event", body=body)).status == 201
    assert (
        invoke("create_user", sample("create_user", body={"userId": "org:42", "name": "Org"})).status == 201
    )

    # When a client that percent-encodes path segments (encodeURIComponent) reads it: a REST API
    # passes `path` still encoded and `pathParameters` decoded
    event = sample(name, path_params={param: "org:42"})
    event["path"] = event["path"].replace("org:42", "org%3A42")
    answer = invoke(name, event)

    # Then the resource is found
    assert answer.status == 200, answer.body
    assert answer.body[param] == "org:42"


# ------------------------------------------------------------------ 413


def padded_body(name: str, size: int, *, pad: str = " ") -> str:
    """The sample's JSON body padded (with whitespace or a string field) to `size` UTF-8 bytes."""
    body = load_sample(name)["body"]
    return body + pad * (size - len(body.encode()))


@pytest.mark.parametrize("name", BODY_ROUTES)
def test_body_over_64_kib_is_413_before_parsing(ddb, name):
    before = read_event_state(ddb, "evt-sample-1")
    answer = invoke(name, sample(name, raw_body=padded_body(name, 64 * 1024 + 1)))
    assert_detail(answer, 413, "Request body too large (limit 65536 bytes)")
    assert read_event_state(ddb, "evt-sample-1") == before


def test_body_of_exactly_64_kib_is_accepted(ddb):
    answer = invoke("create_user", sample("create_user", raw_body=padded_body("create_user", 64 * 1024)))
    assert answer.status == 201, answer.body


def test_body_over_64_kib_of_multibyte_text_is_413(ddb):
    # Given a 40,000-character body whose UTF-8 encoding is about 80 KB (each 'é' is 2 bytes)
    body = json.dumps({"userId": "user-big", "name": "Big", "note": "é" * 40_000}, ensure_ascii=False)
    assert len(body) < 64 * 1024 < len(body.encode())

    # When it is sent
    answer = invoke("create_user", sample("create_user", raw_body=body))

    # Then the byte limit applies, not a character count
    assert answer.status == 413, answer.body
    assert ddb.get_item(TableName="UsersTable", Key={"userId": {"S": "user-big"}}).get("Item") is None


# ------------------------------------------------------------------ 415

# RFC 9110: type and subtype are case-insensitive, parameters follow `;` with optional whitespace
# around it, values are tokens or quoted strings. JSON is UTF-8 (RFC 8259).
JSON_MEDIA_TYPES = [
    "application/json",
    "Application/JSON",
    "APPLICATION/JSON",
    "application/JSON; charset=utf-8",
    "application/json;charset=UTF-8",
    'application/json; charset="utf-8"',
    "application/json ; charset=utf-8",
    "application/json;",
    "  application/json\t",
    "application/json; odata=verbose",
]
NOT_JSON_MEDIA_TYPES = [
    "text/plain",
    "text/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonx",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/vnd.api+json",
    "application/json; charset=latin-1",
    "application/json; charset=utf-16",
    "application/json; charset=utf-8; charset=latin-1",
    "application/json garbage",
    "application /json",
    "application/ json",
    "application/json; charset",
    "application/json; charset=",
    'application/json; charset="utf-8',
    "application/json, text/plain",
    "application/*",
    "*/*",
    "json",
]


@pytest.mark.parametrize("content_type", JSON_MEDIA_TYPES)
@pytest.mark.parametrize("name", BODY_ROUTES)
def test_a_json_body_is_read_however_its_media_type_is_spelled(ddb, name, content_type):
    answer = invoke(name, sample(name, headers={"Content-Type": content_type}))
    assert answer.status == EXPECTED[name][0], answer.body


@pytest.mark.parametrize("content_type", NOT_JSON_MEDIA_TYPES)
@pytest.mark.parametrize("name", BODY_ROUTES)
def test_a_body_declared_as_anything_but_json_is_415_and_changes_nothing(ddb, name, content_type):
    before = read_event_state(ddb, "evt-sample-1"), ddb.scan(TableName="UsersTable")["Count"]
    answer = invoke(name, sample(name, headers={"Content-Type": content_type}))
    assert_detail(answer, 415, "Unsupported Media Type: send application/json")
    assert (read_event_state(ddb, "evt-sample-1"), ddb.scan(TableName="UsersTable")["Count"]) == before


@pytest.mark.parametrize("content_type", ["text/plain", "Application/JSON", "application/jsonx"])
@pytest.mark.parametrize("name", BODY_ROUTES)
def test_a_request_without_a_body_is_422_whatever_its_content_type(ddb, name, content_type):
    answer = invoke(name, sample(name, raw_body=None, headers={"Content-Type": content_type}))
    assert answer.status == 422, answer.body
    assert answer.body["detail"][0]["loc"][0] == "body"


@pytest.mark.parametrize("content_type", ["text/plain", "Application/JSON"])
def test_a_read_is_answered_whatever_its_content_type(ddb, content_type):
    answer = invoke("get_event", sample("get_event", headers={"Content-Type": content_type}))
    assert answer.status == 200, answer.body


# ------------------------------------------------------------------ 400 / 422 on updates


def test_empty_update_is_400_no_fields_to_update(ddb):
    before = read_event_state(ddb, "evt-sample-1")
    assert_detail(invoke("update_event", sample("update_event", body={})), 400, "No fields to update")
    assert read_event_state(ddb, "evt-sample-1") == before


def test_update_with_only_server_owned_or_unknown_fields_is_400(ddb):
    body = {"registeredCount": 40, "waitlistCount": 3, "createdAt": "2000-01-01", "eventId": "x", "foo": 1}
    answer = invoke("update_event", sample("update_event", body=body))
    assert_detail(answer, 400, "No fields to update")


def test_null_in_an_update_is_422(ddb):
    answer = invoke("update_event", sample("update_event", body={"title": None}))
    assert answer.status == 422
    assert answer.body["detail"][0]["loc"] == ["body", "title"]


def test_server_owned_fields_are_never_settable_by_update(ddb):
    # Given the seeded event with one attendee
    before = read_event_state(ddb, "evt-sample-1").event

    # When an update also carries counters, timestamps, id and internals
    body = {
        "title": "Renamed",
        "registeredCount": 40,
        "waitlistCount": 9,
        "createdAt": "2000-01-01T00:00:00Z",
        "updatedAt": "2000-01-01T00:00:00Z",
        "eventId": "evt-other",
        "revision": 99,
        "waitlistSeqNext": 99,
        "deletedAt": "2000-01-01T00:00:00Z",
    }
    answer = invoke("update_event", sample("update_event", body=body))

    # Then only the title changed
    assert answer.status == 200
    after = read_event_state(ddb, "evt-sample-1").event
    assert after is not None
    assert before is not None
    assert after["title"] == answer.body["title"] == "Renamed"
    assert (answer.body["eventId"], answer.body["registeredCount"], answer.body["waitlistCount"]) == (
        "evt-sample-1",
        1,
        0,
    )
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {"title", "updatedAt", "revision"}
    assert after["revision"] == before["revision"] + 1
    assert read_event_state(ddb, "evt-other").event is None


def test_server_owned_fields_in_a_create_are_ignored(ddb):
    body = {
        **json.loads(load_sample("create_event")["body"]),
        "registeredCount": 50,
        "waitlistCount": 5,
        "createdAt": "2000-01-01T00:00:00Z",
        "revision": 3,
        "waitlistSeqNext": 77,
        "deletedAt": "2000-01-01T00:00:00Z",
    }
    answer = invoke("create_event", sample("create_event", body=body))
    assert answer.status == 201
    assert (answer.body["registeredCount"], answer.body["waitlistCount"]) == (0, 0)
    assert answer.body["createdAt"] > "2020"
    stored = read_event_state(ddb, body["eventId"]).event
    assert stored is not None
    assert (stored["registeredCount"], stored["revision"], stored["waitlistSeqNext"]) == (0, 0, 1)
    assert "deletedAt" not in stored
    assert invoke("get_event", sample("get_event", path_params={"eventId": body["eventId"]})).status == 200


# ------------------------------------------------------------------ 409


def test_duplicate_event_post_is_409_and_overwrites_nothing(ddb):
    # Given the seeded event
    before = read_event_state(ddb, "evt-sample-1")

    # When a create reuses its id with different fields
    body = {**json.loads(load_sample("create_event")["body"]), "eventId": "evt-sample-1", "title": "Hijack"}
    answer = invoke("create_event", sample("create_event", body=body))

    # Then it is a conflict and the stored event and its registrations are untouched
    assert_detail(answer, 409, "Event already exists")
    assert read_event_state(ddb, "evt-sample-1") == before


def test_duplicate_user_post_is_409_and_overwrites_nothing(ddb):
    before = ddb.get_item(TableName="UsersTable", Key={"userId": {"S": "user-sample-1"}})["Item"]
    answer = invoke(
        "create_user", sample("create_user", body={"userId": "user-sample-1", "name": "Impostor"})
    )
    assert_detail(answer, 409, "User already exists")
    assert ddb.get_item(TableName="UsersTable", Key={"userId": {"S": "user-sample-1"}})["Item"] == before


def test_duplicate_registration_is_409(ddb):
    answer = invoke("register", sample("register", body={"userId": "user-sample-1"}))
    assert_detail(answer, 409, "Already registered for this event")
    assert assert_invariants(ddb, "evt-sample-1").registered == ["user-sample-1"]


def test_full_event_without_waitlist_is_409_event_is_full(ddb):
    invoke("update_event", sample("update_event", body={"capacity": 1}))
    invoke("set_waitlist", sample("set_waitlist", body={"waitlistEnabled": False}))
    assert_detail(invoke("register", load_sample("register")), 409, "Event is full")


def test_registering_for_an_inactive_event_is_409(ddb):
    invoke("update_event", sample("update_event", body={"status": "cancelled"}))
    assert_detail(invoke("register", load_sample("register")), 409, "Event is not open for registration")


def test_capacity_below_registered_is_409(ddb):
    answer = invoke("register", load_sample("register"))
    assert answer.status == 201
    answer = invoke("update_event", sample("update_event", body={"capacity": 1}))
    assert_detail(answer, 409, "Capacity cannot be lower than the number of registered attendees")
    assert stored_event(ddb, "evt-sample-1")["capacity"] == 50


# ------------------------------------------------------------------ page tokens


@pytest.mark.parametrize("name", LIST_ROUTES)
@pytest.mark.parametrize("token", ["", "abc", "not-a-token", "é", "A" * 5000, "eyJrZXkiOm51bGx9"])
def test_garbage_next_token_is_400(ddb, name, token):
    answer = invoke(name, sample(name, query={"limit": "1", "nextToken": token}))
    assert_detail(answer, 400, "Invalid nextToken")


def next_token(name: str, **params: str) -> str:
    answer = invoke(name, sample(name, query={"limit": "1", **params}))
    assert answer.status == 200, answer.body
    token: str | None = answer.body["nextToken"]
    assert token, answer.body
    return token


def seed_second_registration() -> None:
    assert invoke("register", load_sample("register")).status == 201
    other = sample("register", path_params={"eventId": "evt-sample-2"}, body={"userId": "user-sample-1"})
    assert invoke("register", other).status == 201


@pytest.mark.parametrize("name", LIST_ROUTES)
def test_tampered_next_token_is_400(ddb, name):
    # Given a real token from the second page of a listing
    seed_second_registration()
    token = next_token(name)

    # When one character of it is changed
    tampered = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    answer = invoke(name, sample(name, query={"limit": "1", "nextToken": tampered}))

    # Then it is refused, while the original still works
    assert_detail(answer, 400, "Invalid nextToken")
    assert invoke(name, sample(name, query={"limit": "1", "nextToken": token})).status == 200


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("list_events", "list_event_registrations"),
        ("list_event_registrations", "list_user_registrations"),
        ("list_user_registrations", "list_events"),
    ],
)
def test_token_from_another_listing_is_400(ddb, source, target):
    seed_second_registration()
    token = next_token(source)
    answer = invoke(target, sample(target, query={"limit": "1", "nextToken": token}))
    assert_detail(answer, 400, "Invalid nextToken")


def test_token_from_another_status_filter_is_400(ddb):
    token = next_token("list_events", status="active")
    answer = invoke("list_events", sample("list_events", query={"limit": "1", "nextToken": token}))
    assert_detail(answer, 400, "Invalid nextToken")


def test_next_token_travels_in_the_query_string_to_the_end(ddb):
    # Given five events in all
    for n in range(3):
        body = {**json.loads(load_sample("create_event")["body"]), "eventId": f"evt-page-{n}"}
        assert invoke("create_event", sample("create_event", body=body)).status == 201

    # When paging two at a time through GET /events, passing nextToken back as a query parameter
    seen: list[str] = []
    query: dict[str, str] = {"limit": "2"}
    for _ in range(10):
        answer = invoke("list_events", sample("list_events", query=query))
        assert answer.status == 200
        seen += [e["eventId"] for e in answer.body["events"]]
        if answer.body["nextToken"] is None:
            break
        query = {"limit": "2", "nextToken": answer.body["nextToken"]}

    # Then every event is seen exactly once
    assert sorted(seen) == sorted(["evt-sample-1", "evt-sample-2", "evt-page-0", "evt-page-1", "evt-page-2"])


# ------------------------------------------------------------------ CORS and unexpected errors


def error_answers() -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        "400": ("update_event", sample("update_event", body={})),
        "404": ("get_event", sample("get_event", path_params={"eventId": "evt-none"})),
        "409": ("create_user", sample("create_user", body={"userId": "user-sample-1", "name": "x"})),
        "413": ("create_user", sample("create_user", raw_body=" " * 70_000)),
        "422": ("create_event", sample("create_event", raw_body="{bad")),
    }


@pytest.mark.parametrize("status", ["400", "404", "409", "413", "422"])
def test_error_responses_carry_cors_headers(ddb, status):
    name, event = error_answers()[status]
    answer = invoke(name, event)
    assert answer.status == int(status)
    assert answer.header("Access-Control-Allow-Origin") == "*"


def test_configured_origins_are_echoed_and_others_refused(ddb, monkeypatch):
    # Given a deployment that allows two origins
    monkeypatch.setenv("ALLOWED_ORIGINS", f"https://app.example.com,{ORIGIN}")

    # When requests come from an allowed and from a foreign origin, succeeding and failing
    ok_allowed = invoke("get_event", load_sample("get_event"))
    missing_allowed = invoke("get_event", sample("get_event", path_params={"eventId": "evt-none"}))
    ok_foreign = invoke("get_event", sample("get_event", headers={"Origin": "https://evil.example"}))
    big_allowed = invoke("create_user", sample("create_user", raw_body=" " * 70_000))
    big_foreign = invoke(
        "create_user",
        sample("create_user", raw_body=" " * 70_000, headers={"Origin": "https://evil.example"}),
    )

    # Then allowed origins are echoed on every answer, and foreign ones get no CORS header
    for answer in (ok_allowed, missing_allowed, big_allowed):
        assert answer.header("Access-Control-Allow-Origin") == ORIGIN
    for answer in (ok_foreign, big_foreign):
        assert answer.header("Access-Control-Allow-Origin") is None
    assert (ok_allowed.status, missing_allowed.status, ok_foreign.status) == (200, 404, 200)
    assert (big_allowed.status, big_foreign.status) == (413, 413)


def test_contention_that_outlasts_the_retries_is_503_with_retry_after(ddb, monkeypatch):
    # Given every admission write loses its race, and retries do not sleep
    def always_lose(actions: Any) -> None:
        raise TransactionCancelled(["ConditionalCheckFailed", "None"])

    monkeypatch.setattr(admission, "transact", always_lose)
    monkeypatch.setattr(retry.time, "sleep", lambda _: None)

    # When someone registers
    answer = invoke("register", load_sample("register"))

    # Then the client is told to retry shortly, and nothing was written
    assert_detail(answer, 503, "Service busy, please retry")
    assert answer.header("Retry-After") == "1"
    assert assert_invariants(ddb, "evt-sample-1").registered == ["user-sample-1"]


def test_listing_events_before_their_index_exists_is_503_with_retry_after(ddb):
    # Given the events table without the index the listing reads (not built yet)
    ddb.update_table(
        TableName="EventsTable",
        GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "status-date-utc-index"}}],
    )

    # When events are listed, then the client is told to retry, not that the server failed
    answer = invoke("list_events", load_sample("list_events"))
    assert_detail(answer, 503, "Events are being indexed, please retry")
    assert answer.header("Retry-After") == "1"


def test_database_failure_is_a_generic_500_with_cors(ddb):
    # Given the events table is gone
    ddb.delete_table(TableName="EventsTable")

    # When an event is read
    answer = invoke("get_event", load_sample("get_event"))

    # Then the client gets a generic 500, with no internals leaked
    assert_detail(answer, 500, "Internal server error")


def test_etag_moves_on_edits_but_not_on_registrations(ddb):
    first = invoke("get_event", load_sample("get_event")).header("ETag")
    assert invoke("register", load_sample("register")).status == 201
    after_registration = invoke("get_event", load_sample("get_event")).header("ETag")
    edited = invoke("set_waitlist", load_sample("set_waitlist")).header("ETag")
    assert first == after_registration
    assert edited not in (None, first)
    assert invoke("get_event", load_sample("get_event")).header("ETag") == edited
