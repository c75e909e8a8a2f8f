"""The local stream emulation: stream delivery with Lambda's retry rules, the stream event shape,
the template's stream sources. No server needed. (EventBridge is moto's: tests/local_api.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from samcli.yamlhelper import yaml_parse

from local_api.functions import function_provider, load_stacks
from local_api.paths import DEFAULT_TEMPLATE
from local_api.process import Reply
from local_api.streams import (
    StreamSource,
    deliver,
    lambda_record,
    matches,
    parse_filters,
    stream_sources,
    stream_table,
)
from local_api.tables import table_requests

from .records import record, registration

SOURCE = StreamSource(
    function="Processor",
    table="RegistrationsTable",
    batch_size=100,
    maximum_retry_attempts=2,
    bisect_on_error=True,
    report_item_failures=True,
)


class FakeFunction:
    """Answers each invocation from a script of replies; records the batches it was given."""

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.batches: list[list[str]] = []

    def __call__(self, name: str, event: dict[str, Any]) -> Reply:
        self.batches.append([r["dynamodb"]["SequenceNumber"] for r in event["Records"]])
        reply = self.replies.pop(0) if self.replies else "ok"
        if reply == "error":
            return Reply(json.dumps({"errorMessage": "boom", "errorType": "Exception"}), True, True)
        if reply == "ok":
            return Reply(json.dumps({"batchItemFailures": []}), False, True)
        return Reply(json.dumps({"batchItemFailures": [{"itemIdentifier": i} for i in reply]}), False, True)


def records(count: int) -> list[dict[str, Any]]:
    return [
        record("registrations", "INSERT", new=registration("ev", f"u{i}"), sequence=f"{i:03d}")
        for i in range(1, count + 1)
    ]


def run(function: FakeFunction, batch: list[dict[str, Any]], source: StreamSource = SOURCE):
    dead: list[tuple[list[str], int]] = []
    invocations = deliver(
        source,
        batch,
        function,
        lambda rest, attempts: dead.append(([r["dynamodb"]["SequenceNumber"] for r in rest], attempts)),
        lambda seconds: False,
    )
    return invocations, dead


def test_a_successful_batch_is_one_invocation():
    function = FakeFunction("ok")
    assert run(function, records(3)) == (1, [])
    assert function.batches == [["001", "002", "003"]]


def test_item_failures_are_retried_from_the_lowest_failed_sequence_number():
    # Given the function reports records 4 and 2 of 5 as failed, then succeeds
    function = FakeFunction(["004", "002"], "ok")

    run(function, records(5))

    # Then the retry starts at record 2 (the checkpoint) and includes everything after it
    assert function.batches == [["001", "002", "003", "004", "005"], ["002", "003", "004", "005"]]


def test_an_unknown_item_identifier_fails_the_whole_batch():
    function = FakeFunction(["nope"], "ok")

    run(function, records(3))

    assert function.batches[1] == ["001", "002", "003"]


def test_a_function_error_bisects_the_batch_and_retries_each_half():
    function = FakeFunction("error", "ok", "ok")

    invocations, dead = run(function, records(4))

    assert function.batches == [["001", "002", "003", "004"], ["001", "002"], ["003", "004"]]
    assert (invocations, dead) == (3, [])


def test_without_bisect_a_function_error_retries_the_batch_whole():
    source = StreamSource("Processor", "RegistrationsTable", maximum_retry_attempts=3)
    function = FakeFunction("error", "ok")

    run(function, records(2), source)

    assert function.batches == [["001", "002"], ["001", "002"]]


def test_records_still_failing_after_the_retries_are_dead_lettered_and_the_rest_goes_on():
    # Given record 2 always fails (2 retries allowed) and the records after it are fine
    function = FakeFunction(["002"], ["002"], ["002"], "ok")

    invocations, dead = run(function, records(3))

    # Then after 1 try + 2 retries, records 2-3 (from the checkpoint) are dead-lettered
    assert invocations == 3
    assert dead == [(["002", "003"], 3)]


def test_stopping_gives_up_between_retries():
    function = FakeFunction(["001"])
    invocations = deliver(SOURCE, records(1), function, lambda *_: None, lambda seconds: True)
    assert invocations == 1


def test_without_report_batch_item_failures_a_response_is_success():
    source = StreamSource("Processor", "RegistrationsTable")
    function = FakeFunction(["001"])

    assert run(function, records(1), source) == (1, [])


def test_get_records_output_becomes_the_lambda_event_record():
    raw = {
        "eventID": "e1",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "ddblocal",
        "dynamodb": {
            "ApproximateCreationDateTime": datetime(2027, 1, 15, 8, 0, tzinfo=UTC),
            "Keys": {"eventId": {"S": "ev"}},
            "NewImage": {"eventId": {"S": "ev"}, "blob": {"B": b"\x00\x01"}},
            "SequenceNumber": "000000000000000000001",
            "SizeBytes": 10,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }

    converted = lambda_record(raw, "arn:aws:dynamodb:ddblocal:000000000000:table/EventsTable/stream/x")

    assert converted["dynamodb"]["ApproximateCreationDateTime"] == 1_800_000_000
    assert converted["dynamodb"]["NewImage"]["blob"] == {"B": "AAE="}
    assert converted["eventSourceARN"].endswith("table/EventsTable/stream/x")
    assert converted["awsRegion"] == "us-east-1"
    json.dumps(converted)  # what the worker pipe carries


@pytest.mark.parametrize(
    ("stream", "table"),
    [
        ({"Fn::GetAtt": ["RegistrationsTable", "StreamArn"]}, "RegistrationsTable"),
        ({"Fn::GetAtt": "EventsTable.StreamArn"}, "EventsTable"),
        ("arn:aws:dynamodb:us-east-1:1:table/Other/stream/2027", "Other"),
        ({"Fn::GetAtt": ["EventsTable", "Arn"]}, None),
        ({"Ref": "Something"}, None),
    ],
)
def test_the_stream_of_an_event_source_names_its_table(stream, table):
    assert stream_table(stream) == table


def test_the_templates_stream_sources_are_read_with_their_retry_settings():
    functions = list(function_provider(load_stacks(DEFAULT_TEMPLATE)).get_all())

    sources = stream_sources(functions, runnable=[f.name for f in functions])

    assert sorted((s.function, s.table) for s in sources) == [
        ("AdmissionFunction", "EventsTable"),
        ("AdmissionFunction", "RegistrationsTable"),
        ("StreamProcessorFunction", "EventsTable"),
        ("StreamProcessorFunction", "RegistrationsTable"),
    ]
    for source in sources:
        assert source.report_item_failures is (source.function == "StreamProcessorFunction")
        assert source.bisect_on_error
        assert source.maximum_retry_attempts >= 1
        assert 1 <= source.batch_size <= 1000
        assert bool(source.filters) is (source.function == "AdmissionFunction")


# ------------------------------------------------------------------ FilterCriteria


def admission_source_properties(name: str = "QueueStream") -> dict[str, Any]:
    """A stream event of the template's AdmissionFunction: the filters under test are the real ones."""
    resources = yaml_parse(DEFAULT_TEMPLATE.read_text())["Resources"]
    return dict(resources["AdmissionFunction"]["Properties"]["Events"][name]["Properties"])


def queue_item(kind: str = "INSERT", partition: str = "queue#ev") -> dict[str, Any]:
    item = {"eventId": partition, "userId": "00000000000000000001#u1"}
    return record("registrations", kind, new=item if kind != "REMOVE" else None, old=item)


def test_the_admission_filter_passes_new_queue_items_only():
    source = StreamSource.from_event("AdmissionFunction", admission_source_properties())
    assert source is not None

    assert source.accepts(queue_item())
    assert not source.accepts(queue_item("MODIFY"))
    assert not source.accepts(queue_item("REMOVE"))
    assert not source.accepts(queue_item(partition="ev"))  # a registration row
    assert not source.accepts(record("registrations", "INSERT", new=registration("queue-ev", "u1")))


def test_the_deletes_filter_passes_new_tombstones_only():
    source = StreamSource.from_event("AdmissionFunction", admission_source_properties("DeletesStream"))
    assert source is not None
    live = {"eventId": "ev", "title": "t"}
    tombstone = {**live, "deletedAt": "2031-01-01T00:00:00Z"}

    assert source.accepts(record("events", "MODIFY", old=live, new=tombstone))
    assert not source.accepts(record("events", "MODIFY", old=live, new={**live, "title": "u"}))
    assert not source.accepts(record("events", "INSERT", new=live))


@pytest.mark.parametrize(
    ("pattern", "data", "expected"),
    [
        ({"a": ["x", "y"]}, {"a": "y"}, True),
        ({"a": ["x"]}, {"a": "z"}, False),
        ({"a": ["x"]}, {}, False),
        ({"a": [1]}, {"a": 1}, True),
        ({"a": [None]}, {"a": None}, True),
        ({"a": ["x"]}, {"a": ["w", "x"]}, True),  # an array matches if any element does
        ({"a": {"b": [{"prefix": "q#"}]}}, {"a": {"b": "q#1"}}, True),
        ({"a": {"b": [{"prefix": "q#"}]}}, {"a": {"b": "r#1"}}, False),
        ({"a": {"b": [{"prefix": "q#"}]}}, {"a": "q#1"}, False),
        ({"a": [{"exists": True}]}, {"a": 0}, True),
        ({"a": [{"exists": True}]}, {}, False),
        ({"a": [{"exists": False}]}, {}, True),
        ({"a": [{"anything-but": ["x", "y"]}]}, {"a": "z"}, True),
        ({"a": [{"anything-but": "x"}]}, {"a": "x"}, False),
        ({"a": ["x"], "b": ["y"]}, {"a": "x", "b": "n"}, False),  # every field must match
    ],
)
def test_filter_patterns_match_as_lambdas_event_filtering(pattern, data, expected):
    assert matches(pattern, data) is expected


def test_a_record_passes_when_any_filter_matches_and_no_filters_pass_everything():
    source = StreamSource("F", "T", filters=({"eventName": ["INSERT"]}, {"eventName": ["REMOVE"]}))
    assert source.accepts(queue_item("REMOVE"))
    assert not source.accepts(queue_item("MODIFY"))
    assert StreamSource("F", "T").accepts(queue_item("MODIFY"))


@pytest.mark.parametrize(
    "criteria",
    [
        {"Filters": [{"Pattern": "not json"}]},
        {"Filters": [{"Pattern": '{"a": [{"numeric": [">", 1]}]}'}]},
        {"Filters": [{"Pattern": '{"a": "x"}'}]},
        {"Filters": [{"Pattern": "[1]"}]},
    ],
)
def test_patterns_the_emulation_cannot_apply_are_refused(criteria):
    with pytest.raises(ValueError):  # noqa: PT011 - the message names the pattern
        parse_filters(criteria)
    # and the source is then delivered unfiltered (with a warning), never filtered wrongly
    source = StreamSource.from_event(
        "F", {"Stream": "arn:aws:dynamodb:r:1:table/T/stream/x", "FilterCriteria": criteria}
    )
    assert source is not None
    assert source.filters == ()


def test_the_local_tables_get_the_templates_streams():
    requests = table_requests(DEFAULT_TEMPLATE)
    for table in ("EventsTable", "RegistrationsTable"):
        assert requests[table]["StreamSpecification"] == {
            "StreamEnabled": True,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
