"""The registrations table's stream -> the admission queue's writer, so that every queued
registration is admitted without anyone waiting for it (answered 202, or its writer died)."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from event_core.admission import keep_admitting
from event_core.ids import QUEUE_PREFIX
from event_core.observability import logger, metrics, tracer

# Leaves room under the function's timeout (template.yaml) to give the lease back.
ADMIT_SECONDS = 50.0


def queued_events(records: list[dict[str, Any]]) -> list[str]:
    """The events that had requests queued in this batch, in the order they first appear."""
    found: dict[str, None] = {}
    for record in records:
        partition = record.get("dynamodb", {}).get("Keys", {}).get("eventId", {}).get("S", "")
        if record.get("eventName") == "INSERT" and partition.startswith(QUEUE_PREFIX):
            found[partition.removeprefix(QUEUE_PREFIX)] = None
    return list(found)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    # A failure (people still queued when time ran out) fails the batch: Lambda retries it.
    # The events of one batch share the time, so the batch ends within the function's timeout.
    deadline = time.monotonic() + ADMIT_SECONDS
    for event_id in queued_events(event.get("Records", [])):
        keep_admitting(event_id, seconds=max(deadline - time.monotonic(), 0.0))
