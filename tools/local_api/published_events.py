"""The events published on the local buses, read back through EventBridge itself: a catch-all
rule on every bus sends each event to an SQS queue on the moto server, in the shape a rule
target receives it (`version`, `id`, `detail-type`, `source`, `time`, `detail`...), and the
local server keeps what it reads from the queue (`GET /_local/events`). A thread reads the queue
as events arrive, so it never piles up (moto's ReceiveMessage slows down with a long queue)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from local_api.lambda_context import ACCOUNT_ID
from local_api.local_arns import queue_arn
from local_api.moto_server import MotoServer

LOG = logging.getLogger(__name__)

CATCH_ALL = "local-published-events"  # the rule on each bus, and the queue
MAX_MESSAGES = 10  # ReceiveMessage's limit
READ_EVERY_SECONDS = 0.5
# The event as a rule target receives it (moto's default target input leaves out `account`).
FIELDS = ("version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail")
TARGET_INPUT = {
    "InputPathsMap": {name: f"$.{name}" for name in FIELDS if name != "version"},
    "InputTemplate": '{"version": "0", "id": "<id>", "detail-type": "<detail-type>", "source": "<source>", '
    '"account": "<account>", "time": <time>, "region": "<region>", "resources": <resources>, '
    '"detail": <detail>}',
}


class PublishedEvents:
    """Every event published on the buses since the server started, in order of delivery."""

    def __init__(self, moto: MotoServer, buses: Iterable[str]) -> None:
        self._sqs = moto.client("sqs")
        self._queue_url = self._sqs.create_queue(QueueName=CATCH_ALL)["QueueUrl"]
        events = moto.client("events")
        for bus in {"default", *buses}:
            events.put_rule(
                Name=CATCH_ALL,
                EventBusName=bus,
                EventPattern=json.dumps({"account": [ACCOUNT_ID]}),  # every event of the bus
                Description="Local only: every event, for GET /_local/events",
            )
            events.put_targets(
                Rule=CATCH_ALL,
                EventBusName=bus,
                Targets=[{"Id": CATCH_ALL, "Arn": queue_arn(CATCH_ALL), "InputTransformer": TARGET_INPUT}],
            )
        self._events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    @contextmanager
    def collecting(self) -> Iterator[PublishedEvents]:
        """Read the queue in the background while the block runs."""
        stop = threading.Event()

        def collect() -> None:
            while not stop.wait(READ_EVERY_SECONDS):
                try:
                    self.events()
                except Exception:  # the moto server busy or going away: read again next time
                    LOG.debug("Could not read the published events' queue", exc_info=True)

        thread = threading.Thread(target=collect, name="published-events", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join()

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            while batch := self._receive():
                self._events.extend(json.loads(message["Body"]) for message in batch)
                self._sqs.delete_message_batch(
                    QueueUrl=self._queue_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
                    ],
                )
            return list(self._events)

    def _receive(self) -> list[dict[str, Any]]:
        response = self._sqs.receive_message(QueueUrl=self._queue_url, MaxNumberOfMessages=MAX_MESSAGES)
        messages: list[dict[str, Any]] = response.get("Messages", [])
        return messages
