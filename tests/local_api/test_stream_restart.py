"""A stream poller survives a restart of DynamoDB Local: it follows the table to its new stream
once the table is made again, instead of failing on the old shards forever."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from local_api import create_tables, free_port, start_dynamodb_local
from local_api.clients import dynamodb_client
from local_api.process import Reply
from local_api.streams import StreamSource, poll_streams
from tests.conftest import TEMPLATE

pytestmark = pytest.mark.integration

WAIT = 60.0  # a bound for the wait, not a timing claim: the poller normally answers within a second


class Recorder:
    def __init__(self) -> None:
        self.event_ids: list[str] = []
        self.arrived = threading.Condition()

    def __call__(self, name: str, event: dict[str, Any]) -> Reply:
        with self.arrived:
            self.event_ids.extend(r["dynamodb"]["Keys"]["eventId"]["S"] for r in event["Records"])
            self.arrived.notify_all()
        return Reply(json.dumps({"batchItemFailures": []}), False, True)

    def wait_for(self, event_id: str) -> bool:
        deadline = time.monotonic() + WAIT
        with self.arrived:
            while event_id not in self.event_ids:
                if not self.arrived.wait(max(0.0, deadline - time.monotonic())):
                    return event_id in self.event_ids
            return True


def put_event(endpoint: str, event_id: str) -> None:
    item = {"eventId": {"S": event_id}, "title": {"S": event_id}}
    dynamodb_client(endpoint).put_item(TableName="EventsTable", Item=item)


@pytest.mark.long
def test_a_poller_follows_the_table_to_its_new_stream_after_dynamodb_local_restarts():
    port, recorder = free_port(), Recorder()
    source = StreamSource(function="Recorder", table="EventsTable")  # streamed, as the template says
    with start_dynamodb_local(port) as first:
        endpoint = first.endpoint
        create_tables(endpoint, TEMPLATE)
        with poll_streams([source], endpoint, recorder):
            put_event(endpoint, "before-restart")
            assert recorder.wait_for("before-restart")

            first.stop()
            with start_dynamodb_local(port) as second:  # in memory: no tables, no streams
                create_tables(second.endpoint, TEMPLATE)
                put_event(second.endpoint, "after-restart")

                assert recorder.wait_for("after-restart")
    assert recorder.event_ids == ["before-restart", "after-restart"]
