"""The events/ samples: consistent with template.yaml, and each answered by its function."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from samcli.yamlhelper import yaml_parse

from event_core import __version__
from event_core.ids import QUEUE_PREFIX, queue_partition
from event_core.models.events import Event, UpdatedEvent
from event_core.store.codec import decode
from local_api.paths import EVENTS_DIR, SEED_FILE
from local_api.paths import REPO_ROOT as ROOT
from local_api.samples import load_sample
from local_api.streams import StreamSource, stream_table
from tests.support.clock import FrozenClock
from tests.support.invariants import assert_invariants, read_event_state, stored_event
from tests.support.lambda_runner import (
    FUNCTION_NAMES,
    SCHEDULE_SAMPLES,
    STREAM_SAMPLES,
    Answer,
    invoke,
    invoke_raw,
)

EVENT_KEYS = set(Event.model_fields)
UPDATED_EVENT_KEYS = set(UpdatedEvent.model_fields)  # a change's answer: the event, whom it promoted
PROXY_EVENT_KEYS = {
    "resource",
    "path",
    "httpMethod",
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "stageVariables",
    "requestContext",
    "body",
    "isBase64Encoded",
}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


@cache
def resources() -> dict[str, Any]:
    return yaml_parse((ROOT / "template.yaml").read_text())["Resources"]


def function_events(kind: str) -> dict[str, list[dict[str, Any]]]:
    """Function directory name -> the properties of its events of this Type, in order."""
    found = {}
    for resource in resources().values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        name = resource["Properties"]["CodeUri"].strip("/").split("/")[-1]
        events = [
            e["Properties"] for e in resource["Properties"].get("Events", {}).values() if e["Type"] == kind
        ]
        if events:
            found[name] = events
    return found


@cache
def routes() -> dict[str, tuple[str, str]]:
    """Function directory name -> (path, method) of its (first) Api event in template.yaml.

    A function with several routes (DocsFunction) has one sample, for its first route.
    """
    return {
        name: (apis[0]["Path"], apis[0]["Method"].upper()) for name, apis in function_events("Api").items()
    }


def test_every_function_has_exactly_one_sample():
    samples = sorted(p.stem for p in EVENTS_DIR.glob("*.json"))
    assert samples == sorted([*FUNCTION_NAMES, *STREAM_SAMPLES, *SCHEDULE_SAMPLES])
    assert sorted(routes()) == FUNCTION_NAMES
    assert set(STREAM_SAMPLES) <= set(function_events("DynamoDB"))


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_sample_is_a_consistent_proxy_event_for_its_route(name):
    event = load_sample(name)
    path, method = routes()[name]

    assert set(event) == PROXY_EVENT_KEYS
    assert (event["resource"], event["httpMethod"]) == (path, method)
    context = event["requestContext"]
    assert (context["resourcePath"], context["httpMethod"]) == (path, method)
    assert context["requestId"]
    assert context["stage"]
    assert "sourceIp" in context["identity"]

    names = re.findall(r"{(\w+)}", path)
    params = event["pathParameters"] or {}
    assert sorted(params) == sorted(names)
    expected_path = path
    for key, value in params.items():
        expected_path = expected_path.replace("{" + key + "}", value)
    assert event["path"] == expected_path
    assert context["path"].endswith(expected_path)

    assert event["multiValueHeaders"] == {k: [v] for k, v in event["headers"].items()}
    query = event["queryStringParameters"]
    assert event["multiValueQueryStringParameters"] == ({k: [v] for k, v in query.items()} if query else None)
    assert event["isBase64Encoded"] is False
    if method in ("POST", "PUT") and name != "check_in":  # check-in: the path says it all
        assert isinstance(json.loads(event["body"]), dict)
        assert event["headers"]["Content-Type"] == "application/json"
    else:
        assert event["body"] is None


@pytest.mark.parametrize("name", STREAM_SAMPLES)
def test_stream_sample_is_a_consistent_stream_event_that_its_source_delivers(name):
    records = load_sample(name)["Records"]
    sources = {stream_table(s["Stream"]): s for s in function_events("DynamoDB")[name]}

    assert records
    for record in records:
        assert record["eventSource"] == "aws:dynamodb"
        assert record["eventName"] in ("INSERT", "MODIFY", "REMOVE")
        table = stream_table(record["eventSourceARN"])
        assert table is not None
        assert table in sources, f"{name} does not read the stream of {table}"
        properties = resources()[table]["Properties"]
        change = record["dynamodb"]
        assert change["StreamViewType"] == properties["StreamSpecification"]["StreamViewType"]
        key_names = sorted(k["AttributeName"] for k in properties["KeySchema"])
        assert sorted(change["Keys"]) == key_names
        for image in ("NewImage", "OldImage"):
            if image in change:
                assert {k: change[image][k] for k in key_names} == change["Keys"]
        assert ("NewImage" in change) is (record["eventName"] != "REMOVE")
        # Lambda would hand the record over: it passes the event source's FilterCriteria
        source = StreamSource.from_event(name, sources[table])
        assert source is not None
        assert source.filters
        assert source.accepts(record)


def queued_request(record: dict[str, Any]) -> tuple[str, str]:
    """(event id, user id) of an admission queue item's stream record."""
    item = decode(record["dynamodb"]["NewImage"])
    assert item["eventId"].startswith(QUEUE_PREFIX)
    return item["eventId"].removeprefix(QUEUE_PREFIX), item["requestUserId"]


def test_samples_only_refer_to_seeded_ids_or_ids_they_create():
    seed = json.loads(SEED_FILE.read_text())
    seeded = {e["eventId"] for e in seed["events"]} | {u["userId"] for u in seed["users"]}
    created = {
        json.loads(load_sample(n)["body"]).get(k)
        for n, k in [("create_event", "eventId"), ("create_user", "userId")]
    }
    assert not created & seeded
    for name in FUNCTION_NAMES:
        event = load_sample(name)
        referenced = set((event["pathParameters"] or {}).values())
        if name == "register":
            referenced.add(json.loads(event["body"])["userId"])
        assert referenced <= seeded, name
    for name in STREAM_SAMPLES:
        referenced = {i for record in load_sample(name)["Records"] for i in queued_request(record)}
        assert referenced <= seeded, name
    for name in SCHEDULE_SAMPLES:
        offer = load_sample(name)
        assert {offer["eventId"], offer["userId"]} <= seeded, name


# ------------------------------------------------------------------ what each sample answers


def sent(name: str) -> dict[str, Any]:
    return json.loads(load_sample(name)["body"])


def check_api_info(answer: Answer, ddb: Any) -> None:
    assert answer.body == {"message": "Event Management API", "version": __version__}


def check_health(answer: Answer, ddb: Any) -> None:
    assert answer.body == {"status": "healthy"}


def check_create_event(answer: Answer, ddb: Any) -> None:
    body = answer.body
    assert set(body) == EVENT_KEYS
    assert {k: body[k] for k in sent("create_event")} == sent("create_event")
    assert (body["registeredCount"], body["waitlistCount"]) == (0, 0)
    assert TIMESTAMP.match(body["createdAt"])
    assert body["createdAt"] == body["updatedAt"]
    stored = read_event_state(ddb, "evt-sample-3").event
    assert stored is not None
    assert stored["dateUtc"] == "2027-06-15T08:00:00.000000Z"  # 09:00 in Dublin: listed by it


def check_list_events(answer: Answer, ddb: Any) -> None:
    body = answer.body
    assert set(body) == {"events", "count", "nextToken"}
    # by date: the workshop's day (from 00:00 UTC) before the meetup that evening (17:30 UTC)
    assert [e["eventId"] for e in body["events"]] == ["evt-sample-2", "evt-sample-1"]
    assert all(set(e) == EVENT_KEYS and e["status"] == "active" for e in body["events"])
    assert (body["count"], body["nextToken"]) == (2, None)


def sample_etag(ddb: Any, *, revision: int) -> str:
    """`"<id>.<incarnation>.<revision>"`: the incarnation is the stored event's creation."""
    created_at = stored_event(ddb, "evt-sample-1")["createdAt"]
    incarnation = hashlib.sha256(created_at.encode()).hexdigest()[:8]
    return f'"evt-sample-1.{incarnation}.{revision}"'


def check_get_event(answer: Answer, ddb: Any) -> None:
    body = answer.body
    assert set(body) == EVENT_KEYS
    assert (body["eventId"], body["title"], body["registeredCount"]) == ("evt-sample-1", "Python Meetup", 1)
    assert answer.header("ETag") == sample_etag(ddb, revision=0)


def check_update_event(answer: Answer, ddb: Any) -> None:
    body = answer.body
    assert set(body) == UPDATED_EVENT_KEYS
    assert {k: body[k] for k in sent("update_event")} == sent("update_event")
    assert body["updatedAt"] > body["createdAt"]
    assert answer.header("ETag") == sample_etag(ddb, revision=1)
    assert stored_event(ddb, "evt-sample-1")["title"] == sent("update_event")["title"]


def check_delete_event(answer: Answer, ddb: Any) -> None:
    assert answer.body == {"message": "Event deleted successfully", "eventId": "evt-sample-2"}
    assert read_event_state(ddb, "evt-sample-2").event is None


def check_set_waitlist(answer: Answer, ddb: Any) -> None:
    assert set(answer.body) == UPDATED_EVENT_KEYS
    assert answer.body["waitlistEnabled"] is sent("set_waitlist")["waitlistEnabled"]
    assert stored_event(ddb, "evt-sample-1")["waitlistEnabled"] is sent("set_waitlist")["waitlistEnabled"]


def check_transfer_event(answer: Answer, ddb: Any) -> None:
    assert set(answer.body) == UPDATED_EVENT_KEYS
    assert answer.body["ownerId"] == sent("transfer_event")["ownerId"]
    assert stored_event(ddb, "evt-sample-1")["ownerId"] == sent("transfer_event")["ownerId"]


def check_create_user(answer: Answer, ddb: Any) -> None:
    assert set(answer.body) == {"userId", "name", "createdAt"}
    assert {k: answer.body[k] for k in ("userId", "name")} == sent("create_user")
    assert TIMESTAMP.match(answer.body["createdAt"])


def check_get_user(answer: Answer, ddb: Any) -> None:
    assert set(answer.body) == {"userId", "name", "createdAt"}
    assert (answer.body["userId"], answer.body["name"]) == ("user-sample-1", "Ada Lovelace")


def check_register(answer: Answer, ddb: Any) -> None:
    assert set(answer.body) == {"eventId", "userId", "status", "registeredAt"}
    assert (answer.body["eventId"], answer.body["userId"]) == ("evt-sample-1", "user-sample-2")
    assert answer.body["status"] == "registered"
    assert set(assert_invariants(ddb, "evt-sample-1").registered) == {"user-sample-1", "user-sample-2"}


def check_unregister(answer: Answer, ddb: Any) -> None:
    assert answer.body == {
        "message": "Successfully unregistered from event",
        "eventId": "evt-sample-1",
        "userId": "user-sample-1",
        "promotedUserId": None,
        "offeredUserId": None,
    }
    assert assert_invariants(ddb, "evt-sample-1").registered == []


def check_accepted_already(answer: Answer, ddb: Any) -> None:
    """The seeded user-sample-1 holds a spot at evt-sample-1: accepting answers it, as a retried
    accept would, and changes nothing."""
    assert answer.body == {
        "eventId": "evt-sample-1",
        "userId": "user-sample-1",
        "status": "registered",
        "registeredAt": answer.body["registeredAt"],
    }
    assert assert_invariants(ddb, "evt-sample-1").registered == ["user-sample-1"]


def check_no_offer(answer: Answer, ddb: Any) -> None:
    """The seeded user-sample-1 holds a spot at evt-sample-1, not an offer: nothing changes."""
    assert answer.body == {"detail": "No offer to answer: no spot is offered to this person at this event"}
    assert assert_invariants(ddb, "evt-sample-1").registered == ["user-sample-1"]


def check_list_event_registrations(answer: Answer, ddb: Any) -> None:
    body = answer.body
    assert set(body) == {
        "eventId",
        "registered",
        "offered",
        "waitlisted",
        "registeredCount",
        "offeredCount",
        "waitlistCount",
        "nextToken",
    }
    assert [(r["userId"], r["status"]) for r in body["registered"]] == [("user-sample-1", "registered")]
    assert set(body["registered"][0]) == {"eventId", "userId", "status", "registeredAt"}
    assert (body["waitlisted"], body["registeredCount"], body["waitlistCount"]) == ([], 1, 0)
    assert (body["offered"], body["offeredCount"]) == ([], 0)
    assert body["nextToken"] is None


def check_list_user_registrations(answer: Answer, ddb: Any) -> None:
    body = answer.body
    assert set(body) == {"registrations", "count", "nextToken"}
    (entry,) = body["registrations"]
    assert entry == {
        "eventId": "evt-sample-1",
        "eventTitle": "Python Meetup",
        "eventDate": "2031-03-10T18:30:00+01:00",
        "status": "registered",
        "waitlistPosition": None,
        "registeredAt": entry["registeredAt"],
    }
    assert (body["count"], body["nextToken"]) == (1, None)


def check_get_registration(answer: Answer, ddb: Any) -> None:
    assert answer.body == {
        "eventId": "evt-sample-1",
        "userId": "user-sample-1",
        "status": "registered",
        "registeredAt": answer.body["registeredAt"],
    }
    assert TIMESTAMP.match(answer.body["registeredAt"])


def check_check_in(answer: Answer, ddb: Any) -> None:
    assert answer.body == {
        "eventId": "evt-sample-1",
        "userId": "user-sample-1",
        "status": "registered",
        "registeredAt": answer.body["registeredAt"],
        "checkedInAt": "2031-03-10T17:00:00.000000Z",
    }
    assert stored_event(ddb, "evt-sample-1")["checkedInCount"] == 1


def check_docs(answer: Answer, ddb: Any) -> None:
    document = json.loads((ROOT / "functions" / "docs" / "openapi.json").read_text())
    # the committed document, with the stage the request came through as its server
    assert answer.body == {**document, "servers": [{"url": "/dev"}]}


EXPECTED: dict[str, tuple[int, Callable[[Answer, Any], None]]] = {
    "api_info": (200, check_api_info),
    "docs": (200, check_docs),
    "health": (200, check_health),
    "create_event": (201, check_create_event),
    "list_events": (200, check_list_events),
    "get_event": (200, check_get_event),
    "update_event": (200, check_update_event),
    "delete_event": (200, check_delete_event),
    "set_waitlist": (200, check_set_waitlist),
    "transfer_event": (200, check_transfer_event),
    "create_user": (201, check_create_user),
    "get_user": (200, check_get_user),
    "register": (201, check_register),
    "unregister": (200, check_unregister),
    "accept_offer": (200, check_accepted_already),
    "decline_offer": (409, check_no_offer),
    "get_registration": (200, check_get_registration),
    "list_event_registrations": (200, check_list_event_registrations),
    "list_user_registrations": (200, check_list_user_registrations),
    "check_in": (200, check_check_in),
}
# When a sample is meant to be sent, if its answer depends on it: check-in opens a day before the
# sample event (evt-sample-1, 17:30 UTC on 2031-03-10) starts.
SENT_AT = {"check_in": "2031-03-10T17:00:00Z"}


def check_admission(result: Any, ddb: Any) -> None:
    """The queued request (user-sample-2 for evt-sample-1) was admitted, the queue is empty and
    the lease given back."""
    assert result is None  # a failure would raise: Lambda retries the batch
    tables = assert_invariants(ddb, "evt-sample-1")
    assert tables.registered == ["user-sample-1", "user-sample-2"]
    (row,) = [r for r in tables.rows if r["userId"] == "user-sample-2"]
    assert row["queueKey"] == load_sample("admission")["Records"][0]["dynamodb"]["Keys"]["userId"]["S"]
    queue = ddb.query(
        TableName="RegistrationsTable",
        KeyConditionExpression="eventId = :queue",
        ExpressionAttributeValues={":queue": {"S": queue_partition("evt-sample-1")}},
        ConsistentRead=True,
    )["Items"]
    assert queue == []
    assert "writer" not in stored_event(ddb, "evt-sample-1")


# A stream sample's check: what the handler returned, and the tables after.
STREAM_EXPECTED: dict[str, Callable[[Any, Any], None]] = {
    "admission": check_admission,
}


def test_every_sample_has_an_expectation():
    assert sorted(EXPECTED) == FUNCTION_NAMES
    assert sorted(STREAM_EXPECTED) == sorted(STREAM_SAMPLES)


def write_inserted_items(ddb: Any, event: dict[str, Any]) -> None:
    """Put the items a stream sample's INSERT records describe: the writes that made them."""
    for record in event["Records"]:
        if record["eventName"] == "INSERT":
            table = stream_table(record["eventSourceARN"])
            assert table is not None
            ddb.put_item(TableName=table, Item=record["dynamodb"]["NewImage"])


@pytest.mark.parametrize("name", STREAM_SAMPLES)
def test_stream_sample_invocation_does_what_its_records_ask(ddb, name):
    # Given the seeded sample data, and the items the sample's records say were inserted
    event = load_sample(name)
    write_inserted_items(ddb, event)

    # When the sample is invoked, as `sam local invoke <Fn> -e events/<name>.json` does
    result = invoke_raw(name, event)

    # Then the function did what the records ask
    STREAM_EXPECTED[name](result, ddb)


@pytest.mark.parametrize("name", STREAM_SAMPLES)
def test_stream_samples_delivered_again_change_nothing(ddb, name):
    # Given the sample's records were processed once
    event = load_sample(name)
    write_inserted_items(ddb, event)
    invoke_raw(name, event)
    before = {
        t: ddb.scan(TableName=t, ConsistentRead=True)["Items"] for t in ("EventsTable", "RegistrationsTable")
    }

    # When Lambda delivers them again (at least once), or `sam local invoke` runs the sample again
    invoke_raw(name, event)

    # Then nothing changes
    after = {
        t: ddb.scan(TableName=t, ConsistentRead=True)["Items"] for t in ("EventsTable", "RegistrationsTable")
    }
    assert after == before


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_sample_invocation_answers_with_the_documented_shape(ddb, name, monkeypatch):
    # Given the seeded sample data, at the time the sample is meant for
    status, check = EXPECTED[name]
    if name in SENT_AT:
        FrozenClock(monkeypatch).set(SENT_AT[name])

    # When the sample is invoked, as `sam local invoke <Fn> -e events/<name>.json` does
    answer = invoke(name, load_sample(name))

    # Then the status, JSON body and CORS headers are those of the contract
    assert answer.status == status, answer.body
    assert answer.header("Content-Type") == "application/json"
    assert answer.header("Access-Control-Allow-Origin") == "*"
    check(answer, ddb)


def test_every_get_route_also_takes_head_on_the_same_function():
    # API Gateway answers a method the API does not declare with its MISSING_AUTHENTICATION_TOKEN
    # response (403), and the local server (SAM's emulation) with a 502: HEAD must be declared.
    for name, apis in function_events("Api").items():
        methods = [(api["Path"], api["Method"].upper()) for api in apis]
        gets = {path for path, method in methods if method == "GET"}
        heads = {path for path, method in methods if method == "HEAD"}
        assert heads == gets, name


def head_of(event: dict[str, Any]) -> dict[str, Any]:
    return {
        **event,
        "httpMethod": "HEAD",
        "requestContext": {**event["requestContext"], "httpMethod": "HEAD"},
    }


@pytest.mark.parametrize("name", [name for name in FUNCTION_NAMES if routes()[name][1] == "GET"])
def test_head_answers_like_get_without_the_body(ddb, name):
    # Given a read's sample, answered as a GET
    get = invoke_raw(name, load_sample(name))

    # When the same request comes as HEAD
    head = invoke_raw(name, head_of(load_sample(name)))

    # Then the answer is the GET's, status and headers, without the body (RFC 9110 section 9.3.2)
    assert get["body"]
    assert {**head, "body": get["body"], "isBase64Encoded": get["isBase64Encoded"]} == get
    assert head["body"] == ""
    assert head["isBase64Encoded"] is False


def test_head_of_an_unknown_id_is_the_gets_404_without_the_body(ddb):
    event = load_sample("get_event")
    event.update(path="/events/nobody-knows", pathParameters={"eventId": "nobody-knows"})
    head = invoke_raw("get_event", head_of(event))
    assert (head["statusCode"], head["body"]) == (404, "")


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("create_event", 409),
        ("create_user", 409),
        ("register", 409),
        ("unregister", 404),
        ("delete_event", 404),
    ],
)
def test_samples_that_change_state_answer_conflict_or_not_found_the_second_time(ddb, name, status):
    assert invoke(name, load_sample(name)).status in (200, 201)
    again = invoke(name, load_sample(name))
    assert again.status == status
    assert isinstance(again.body["detail"], str)


def test_the_expiry_sample_finds_no_offer_on_the_seeded_data(ddb):
    # Given the seeded data, where user-sample-1 holds a spot at evt-sample-1 (no offer)
    # When the sample schedule input is invoked, as the scheduler (or `sam local invoke`) does
    result = invoke_raw("expire_offer", load_sample("expire_offer"))

    # Then there was nothing to expire, and nothing changed
    assert result == {"expired": False}
    assert assert_invariants(ddb, "evt-sample-1").registered == ["user-sample-1"]
