"""The local server's stream event sources, as far as this project's stream functions rely on
them: the template's sources and filters, Lambda's record shape, and the retries (from the first
failed record the processor reports; whole after a function error, which the admission function
raises when work is left). No server needed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from samcli.yamlhelper import yaml_parse

from local_api.functions import function_provider, load_stacks
from local_api.paths import DEFAULT_TEMPLATE
from local_api.process import Reply
from local_api.streams import StreamSource, stream_sources, stream_table
from local_api.streams.delivery import deliver
from local_api.streams.reader import lambda_record

from .records import record, registration

PROCESSOR = StreamSource(
    "Processor", "RegistrationsTable", report_item_failures=True, maximum_retry_attempts=2
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
            return Reply(json.dumps({"errorMessage": "boom", "errorType": "Busy"}), True, True)
        failures = [] if reply == "ok" else [{"itemIdentifier": i} for i in reply]
        return Reply(json.dumps({"batchItemFailures": failures}), False, True)


def records(count: int) -> list[dict[str, Any]]:
    return [
        record("registrations", "INSERT", new=registration("ev", f"u{i}"), sequence=f"{i:03d}")
        for i in range(1, count + 1)
    ]


def run(function: FakeFunction, source: StreamSource, count: int) -> int:
    return deliver(source, records(count), function, wait=lambda seconds: False)


def test_item_failures_are_retried_from_the_lowest_failed_sequence_number():
    function = FakeFunction(["004", "002"], "ok")

    assert run(function, PROCESSOR, 5) == 2
    assert function.batches == [["001", "002", "003", "004", "005"], ["002", "003", "004", "005"]]


def test_a_function_error_retries_the_batch_whole():
    function = FakeFunction("error", "ok")

    run(function, StreamSource("Admission", "RegistrationsTable"), 2)

    assert function.batches == [["001", "002"], ["001", "002"]]


def test_after_the_retries_the_rest_of_the_batch_is_skipped():
    # Given record 2 always fails, with 2 retries allowed
    function = FakeFunction(["002"], ["002"], ["002"], "ok")

    # Then 1 try + 2 retries, and the function is not called again for that batch
    assert run(function, PROCESSOR, 3) == 3
    assert function.batches[1:] == [["002", "003"], ["002", "003"]]


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
    ],
)
def test_the_stream_of_an_event_source_names_its_table(stream, table):
    assert stream_table(stream) == table


def test_the_templates_stream_sources_are_polled():
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
        assert bool(source.filters) is (source.function == "AdmissionFunction")
        assert source.maximum_retry_attempts >= 1


# ------------------------------------------------------------------ the template's FilterCriteria


def admission_source(name: str) -> StreamSource:
    """A stream source of the template's AdmissionFunction: the filters under test are the real ones."""
    resources = yaml_parse(DEFAULT_TEMPLATE.read_text())["Resources"]
    source = StreamSource.from_event(
        "AdmissionFunction", resources["AdmissionFunction"]["Properties"]["Events"][name]["Properties"]
    )
    assert source is not None
    return source


def queue_item(kind: str = "INSERT", partition: str = "queue#ev") -> dict[str, Any]:
    item = {"eventId": partition, "userId": "00000000000000000001#u1"}
    return record("registrations", kind, new=item if kind != "REMOVE" else None, old=item)


def test_the_admission_filter_passes_new_queue_items_only():
    source = admission_source("QueueStream")

    assert source.accepts(queue_item())
    assert not source.accepts(queue_item("MODIFY"))
    assert not source.accepts(queue_item("REMOVE"))
    assert not source.accepts(queue_item(partition="ev"))  # a registration row
    assert not source.accepts(record("registrations", "INSERT", new=registration("queue-ev", "u1")))


def test_the_deletes_filter_passes_new_tombstones_only():
    source = admission_source("DeletesStream")
    live = {"eventId": "ev", "title": "t"}
    tombstone = {**live, "deletedAt": "2031-01-01T00:00:00Z"}

    assert source.accepts(record("events", "MODIFY", old=live, new=tombstone))
    assert not source.accepts(record("events", "MODIFY", old=live, new={**live, "title": "u"}))
    assert not source.accepts(record("events", "INSERT", new=live))
