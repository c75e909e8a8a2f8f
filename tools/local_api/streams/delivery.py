"""Handing a batch to the function until it is processed, with the retries this project's stream
functions rely on: the stream processor reports batch item failures (the batch comes again from
the first failed record), the admission function fails the whole batch when work is left (it
comes again whole). Not emulated: BisectBatchOnFunctionError, on-failure destinations, record age.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from local_api.process import Reply
from local_api.streams.sources import Record, StreamSource

LOG = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 2.0
Invoke = Callable[[str, Any], Reply]


def first_failure(source: StreamSource, batch: list[Record], reply: Reply) -> int | None:
    """Where the batch must be retried from (None: all done). A function error, an unreadable
    answer or an unknown item identifier fails the whole batch, as in Lambda."""
    if reply.is_error:
        return 0
    if not source.report_item_failures:
        return None
    positions = {record["dynamodb"]["SequenceNumber"]: i for i, record in enumerate(batch)}
    try:
        failures = json.loads(reply.body).get("batchItemFailures") or []
        return min((positions.get(failure["itemIdentifier"], 0) for failure in failures), default=None)
    except (ValueError, AttributeError, TypeError, KeyError):
        return 0


def deliver(source: StreamSource, batch: list[Record], invoke: Invoke, wait: Callable[[float], bool]) -> int:
    """Invoke `source.function` until `batch` is processed. After `MaximumRetryAttempts` retries
    the rest is skipped, with an error in the log (a failing batch holds its shard back until
    then). `wait(seconds)` sleeps between retries and returns True to give up (the server is
    stopping). Returns the invocations made."""
    retries = 0
    while True:
        failed_from = first_failure(source, batch, invoke(source.function, {"Records": batch}))
        if failed_from is None:
            return retries + 1
        batch = batch[failed_from:]
        if 0 <= source.maximum_retry_attempts <= retries:
            LOG.error(
                "%s: %d record(s) of %s still fail after %d retries; skipped",
                source.function,
                len(batch),
                source.table,
                retries,
            )
            return retries + 1
        LOG.info("%s: retrying %d record(s) of %s", source.function, len(batch), source.table)
        if wait(min(0.05 * 2**retries, MAX_BACKOFF_SECONDS)):
            return retries + 1
        retries += 1
