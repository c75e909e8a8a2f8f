"""The stream processor function: Powertools' batch processing, partial failures, PutEvents.

The handler is called as Lambda calls it for a DynamoDB stream event source with
`FunctionResponseTypes: [ReportBatchItemFailures]`; EventBridge is a stub that can refuse
entries, and Lambda's retry (from the first failed record) is replayed by hand.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from event_core.domain_events import bus, processor
from event_core.domain_events.changes import domain_events
from event_core.domain_events.models import SOURCE, RegistrationConfirmed, RegistrationConfirmedData
from event_core.domain_events.processor import stream_change
from local_api.lambda_context import LambdaContext
from tests.support.lambda_runner import load_function

from .conftest import BUS, StubEventBridge
from .records import batch, event_item, promoted, record, registration


def handle(event: dict[str, Any]) -> dict[str, Any]:
    handler = load_function("stream_processor").lambda_handler
    return handler(copy.deepcopy(event), LambdaContext("StreamProcessorFunction", "req-1"))


def lambda_retry(event: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    """The batch Lambda sends next: every record from the lowest failed sequence number on."""
    failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
    sequences = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
    first = min(sequences.index(s) for s in failed)
    return batch(*event["Records"][first:])


@pytest.fixture
def live_events(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every event is live (created long ago); the lookups made are recorded."""
    asked: list[str] = []

    def lookup(event_id: str) -> str:
        asked.append(event_id)
        return "2000-01-01T00:00:00.000000Z"

    monkeypatch.setattr(processor, "live_event_created_at", lookup)
    return asked


def four_registrations() -> dict[str, Any]:
    return batch(*(record("registrations", "INSERT", new=registration("ev1", u)) for u in "abcd"))


def test_each_record_is_published_as_its_domain_events_in_order(eventbridge, live_events):
    # Given a batch with a registration, a promotion, a counter update and a departure
    waiting = registration("ev1", "ben", status="waitlisted")
    event = batch(
        record("registrations", "INSERT", new=registration("ev1", "ana")),
        record("registrations", "MODIFY", old=waiting, new=promoted(waiting)),
        record("events", "MODIFY", old=event_item("ev1"), new=event_item("ev1", registeredCount=2)),
        record("registrations", "REMOVE", old=registration("ev1", "cleo")),
    )

    # When the stream processor handles it
    response = handle(event)

    # Then every record succeeded and the bus got one entry per domain event, in stream order
    assert response == {"batchItemFailures": []}
    assert [d["type"] for d in eventbridge.accepted] == [
        "RegistrationConfirmed",
        "PromotedFromWaitlist",
        "Unregistered",
    ]
    entry = eventbridge.calls[0][0]
    assert (entry["Source"], entry["DetailType"], entry["EventBusName"]) == (
        SOURCE,
        "RegistrationConfirmed",
        BUS,
    )
    assert entry["Time"] == datetime(2027, 1, 10, 10, 0, tzinfo=UTC)
    assert json.loads(entry["Detail"])["data"] == {
        "eventId": "ev1",
        "userId": "ana",
        "registeredAt": "2027-01-10T10:00:00.000000Z",
    }
    assert live_events == ["ev1"]


def test_a_refused_entry_fails_its_record_and_the_rest_of_the_batch_without_publishing_them(
    eventbridge, live_events
):
    # Given EventBridge refuses the second record's event once
    event = four_registrations()
    eventbridge.refuse = {_ids_of(event)[1]}

    # When the batch is handled
    response = handle(event)

    # Then records 2..4 are reported failed; 3 and 4 were not even attempted
    sequences = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
    assert response == {"batchItemFailures": [{"itemIdentifier": s} for s in sequences[1:]]}
    assert [d["data"]["userId"] for d in eventbridge.accepted] == ["a"]
    assert len(eventbridge.calls) == 2

    # When Lambda retries from the checkpoint
    assert handle(lambda_retry(event, response)) == {"batchItemFailures": []}

    # Then every registration was published exactly once
    assert [d["data"]["userId"] for d in eventbridge.accepted] == ["a", "b", "c", "d"]
    assert [d["id"] for d in eventbridge.accepted] == _ids_of(event)


def test_a_record_with_two_events_is_retried_whole_and_its_published_event_keeps_its_id(
    eventbridge, live_events
):
    # Given an edit, then a cancel-and-edit (two events) whose EventUpdated is refused once
    before = event_item("ev1")
    edited = {**before, "title": "X"}
    event = batch(
        record("events", "MODIFY", old=before, new=edited),
        record("events", "MODIFY", old=edited, new={**edited, "status": "cancelled", "title": "Y"}),
    )
    eventbridge.refuse = {_ids_of(event)[2]}

    # When it is handled, failing on the second record, and retried
    response = handle(event)
    failed = event["Records"][1]["dynamodb"]["SequenceNumber"]
    assert response == {"batchItemFailures": [{"itemIdentifier": failed}]}
    assert handle(lambda_retry(event, response)) == {"batchItemFailures": []}

    # Then EventCancelled went out twice with one id: consumers de-duplicate it
    types = [d["type"] for d in eventbridge.accepted]
    assert types == ["EventUpdated", "EventCancelled", "EventCancelled", "EventUpdated"]
    assert len({d["id"] for d in eventbridge.accepted}) == 3


def test_when_every_record_fails_the_invocation_fails_so_lambda_bisects(eventbridge, live_events):
    event = four_registrations()
    eventbridge.refuse = {"RegistrationConfirmed"}  # the first record fails, the others are skipped

    with pytest.raises(BatchProcessingError):
        handle(event)


def test_a_record_of_an_unexpected_table_is_a_failure_not_a_silent_skip(eventbridge, live_events):
    good = record("registrations", "INSERT", new=registration("ev1", "a"))
    strange = record("registrations", "INSERT", new=registration("ev1", "b"))
    strange["eventSourceARN"] = strange["eventSourceARN"].replace("RegistrationsTable", "OtherTable")

    response = handle(batch(good, strange))

    assert response == {"batchItemFailures": [{"itemIdentifier": strange["dynamodb"]["SequenceNumber"]}]}


def test_the_cascade_of_a_deleted_event_looks_the_event_up_once_and_publishes_nothing(
    eventbridge, monkeypatch
):
    asked = []
    monkeypatch.setattr(processor, "live_event_created_at", lambda event_id: asked.append(event_id))
    purge = batch(*(record("registrations", "REMOVE", old=registration("gone", u)) for u in "abc"))

    assert handle(purge) == {"batchItemFailures": []}

    assert eventbridge.calls == []
    assert asked == ["gone"]


def test_publish_sends_at_most_ten_entries_per_call_and_names_the_refused_ones(processor_env):
    stub = StubEventBridge()
    events = [
        RegistrationConfirmed(
            id=f"id-{i}",
            occurredAt="2027-01-10T10:00:00.000000Z",
            data=RegistrationConfirmedData(eventId="ev", userId=f"u{i}", registeredAt="2027-01-10T10:00:00Z"),
        )
        for i in range(23)
    ]
    stub.refuse = {"id-4", "id-17"}

    with pytest.raises(bus.PublishFailed) as failure:
        bus.publish(events, client=stub)

    assert [len(call) for call in stub.calls] == [10, 10, 3]
    assert set(failure.value.refused) == {"id-4", "id-17"}
    assert len(stub.accepted) == 21


def _ids_of(event: dict[str, Any]) -> list[str]:
    """The ids of the domain events the records of `event` map to, in order."""
    return [
        e.id
        for r in event["Records"]
        for e in domain_events(stream_change(DynamoDBRecord(r)), lambda _: "2000-01-01T00:00:00Z")
    ]
