"""The tables' streams -> the work that must finish without anyone asking: every queued
registration admitted (answered 202, or its writer died), every interrupted delete completed,
every offer's expiry scheduled (offer mode)."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from event_core.admission import keep_admitting
from event_core.errors import Busy
from event_core.events import finish_deletion
from event_core.ids import QUEUE_PREFIX
from event_core.observability import logger, metrics, tracer
from event_core.offers import schedule_expiries
from event_core.store.registrations import OFFERED, WAITLISTED

# Leaves room under the function's timeout (template.yaml) to give the lease back.
WORK_SECONDS = 50.0


def _keys(record: dict[str, Any]) -> dict[str, Any]:
    return record.get("dynamodb", {}).get("Keys", {})


def queued_events(records: list[dict[str, Any]]) -> list[str]:
    """The events that had requests queued in this batch, in the order they first appear."""
    found: dict[str, None] = {}
    for record in records:
        partition = _keys(record).get("eventId", {}).get("S", "")
        if record.get("eventName") == "INSERT" and partition.startswith(QUEUE_PREFIX):
            found[partition.removeprefix(QUEUE_PREFIX)] = None
    return list(found)


def deleted_events(records: list[dict[str, Any]]) -> list[str]:
    """The events whose delete began in this batch: a tombstone (deletedAt) appeared on the item."""
    found: dict[str, None] = {}
    for record in records:
        keys, images = _keys(record), record.get("dynamodb", {})
        tombstoned = "deletedAt" in images.get("NewImage", {}) and "deletedAt" not in images.get(
            "OldImage", {}
        )
        if record.get("eventName") == "MODIFY" and "userId" not in keys and tombstoned:
            found[keys["eventId"]["S"]] = None
    return list(found)


def offers_made(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The registration items (as stored) that became offers in this batch: waitlisted -> offered."""
    made = []
    for record in records:
        images = record.get("dynamodb", {})
        new, old = images.get("NewImage", {}), images.get("OldImage", {})
        was, now = old.get("status", {}).get("S"), new.get("status", {}).get("S")
        if record.get("eventName") == "MODIFY" and (was, now) == (WAITLISTED, OFFERED):
            made.append(new)
    return made


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    # A failure (people still queued, a delete not yet finished when time ran out) fails the
    # batch: Lambda retries it. The work of one batch shares the time, within the timeout.
    deadline = time.monotonic() + WORK_SECONDS
    records = event.get("Records", [])
    schedule_expiries(offers_made(records))
    for event_id in queued_events(records):
        keep_admitting(event_id, seconds=max(deadline - time.monotonic(), 0.0))
    for event_id in deleted_events(records):
        if not finish_deletion(event_id, wait_seconds=max(deadline - time.monotonic(), 0.0)):
            raise Busy()
