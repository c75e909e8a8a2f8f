"""The stream processor's record handler: one DynamoDB stream record -> its domain events, published.

Powertools' BatchProcessor calls the handler for each record of a batch, in stream order, and
reports the records whose handler raised as batch item failures. Lambda then retries the batch
from the first failed record (its checkpoint): every record after it comes again anyway. So after
the first failure the handler fails the rest of the batch without publishing them, which keeps
each item's events in order and avoids publishing them twice.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from event_core.clock import iso, now_iso
from event_core.domain_events import bus
from event_core.domain_events.changes import Kind, LiveEventLookup, StreamChange, Table, domain_events
from event_core.domain_events.models import DomainEvent
from event_core.observability import logger, metrics
from event_core.settings import get_settings
from event_core.store import events as event_store

Publish = Callable[[Sequence[DomainEvent]], None]


class EarlierRecordFailed(RuntimeError):
    """Not attempted: a record before it in the batch failed, and Lambda redelivers from there."""


class UnknownTable(ValueError):
    pass


def live_event_created_at(event_id: str) -> str | None:
    """createdAt of the live event with this id; None if it is deleted or being deleted."""
    stored = event_store.get(event_id, consistent=True)
    return stored.event.createdAt if stored else None


class StreamPublisher:
    """The record handler for one batch (make a new one per invocation)."""

    def __init__(self, publish: Publish | None = None, live_event: LiveEventLookup | None = None) -> None:
        self._publish = publish or bus.publish
        self._live_event = live_event or live_event_created_at
        self._live_events: dict[str, str | None] = {}  # one lookup per event per batch
        self._failed = False

    def __call__(self, record: DynamoDBRecord) -> list[str]:
        """Publish the record's domain events; returns their ids."""
        if self._failed:
            raise EarlierRecordFailed(record.event_id)
        try:
            published = domain_events(stream_change(record), self._cached_live_event)
            self._publish(published)
        except Exception:
            self._failed = True
            sequence = record.dynamodb.sequence_number if record.dynamodb else None
            logger.exception(
                "Stream record failed; Lambda retries the batch from it",
                extra={"sequence_number": sequence, "event_source_arn": record.event_source_arn},
            )
            raise
        metrics.add_metric(name="StreamRecordsProcessed", unit=MetricUnit.Count, value=1)
        if published:
            metrics.add_metric(name="DomainEventsPublished", unit=MetricUnit.Count, value=len(published))
            logger.info(
                "Published domain events",
                extra={"domain_events": [{"id": e.id, "type": e.type} for e in published]},
            )
        return [event.id for event in published]

    def _cached_live_event(self, event_id: str) -> str | None:
        if event_id not in self._live_events:
            self._live_events[event_id] = self._live_event(event_id)
        return self._live_events[event_id]


def stream_change(record: DynamoDBRecord) -> StreamChange:
    stream = record.dynamodb
    if stream is None or record.event_name is None or record.event_id is None:
        raise ValueError("not a DynamoDB stream record")
    return StreamChange(
        table=table_of(record.event_source_arn or ""),
        kind=cast("Kind", record.event_name.name),
        record_id=record.event_id,
        old=_plain(stream.old_image),
        new=_plain(stream.new_image),
        recorded_at=_iso(stream.approximate_creation_date_time),
    )


def table_of(stream_arn: str) -> Table:
    """arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label> -> which of our tables."""
    name = stream_arn.split(":table/", 1)[-1].split("/", 1)[0]
    settings = get_settings()
    if name == settings.registrations_table:
        return "registrations"
    if name == settings.events_table:
        return "events"
    raise UnknownTable(f"stream of an unexpected table: {stream_arn!r}")


def _plain(image: Mapping[str, Any]) -> dict[str, Any]:
    """Stream images decode numbers as Decimal; the tables hold integers."""
    return {name: _number(value) for name, value in image.items()}


def _number(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _iso(epoch_seconds: int | None) -> str:
    return iso(datetime.fromtimestamp(epoch_seconds, UTC)) if epoch_seconds is not None else now_iso()
