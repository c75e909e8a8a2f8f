"""One poller thread per stream event source, like Lambda's event source mappings: read the
table's stream, hand the function batches of up to `BatchSize` records; and the controls tests
use: pause, resume, and drain (wait until every change made so far has been processed)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from local_api.clients import dynamodb_streams_client
from local_api.errors import LocalApiError
from local_api.streams.delivery import Invoke, deliver
from local_api.streams.reader import Shard, StreamReader, latest_stream
from local_api.streams.sources import Record, StreamSource

LOG = logging.getLogger(__name__)

POLL_SECONDS = 0.1
# A quiet stream is polled less and less often, down to every IDLE_POLL_SECONDS (AWS polls a shard
# about four times a second); any record brings the pace back to POLL_SECONDS, and a drain polls
# at once. Polling every 0.1 s around the clock cost a server and its DynamoDB Local ~0.13 CPU-s
# a second when nothing happened.
IDLE_POLL_SECONDS = 0.5
DISCOVER_SECONDS = 5.0  # how often to look for new shards (and whenever a drain is asked for)
# What reading a stream answers once it is gone (DynamoDB Local restarted, the table made again):
# "Invalid ShardId", "Requested resource not found". The poller then follows the table.
STREAM_GONE_ERRORS = frozenset({"ValidationException", "ResourceNotFoundException"})
REATTACH_SECONDS = 1.0


class StreamPoller:
    """One event source mapping: a thread that reads a table's stream and invokes a function."""

    def __init__(self, source: StreamSource, endpoint: str, invoke: Invoke, running: threading.Event) -> None:
        self.source = source
        self.invocations = 0
        self._invoke = invoke
        self._endpoint = endpoint
        stream_arn = latest_stream(endpoint, source.table)
        if stream_arn is None:
            raise LocalApiError(
                f"{source.table} has no stream, which {source.function} reads: it was made before the "
                "template gave it one. Start on a new database (without PERSIST=1, or delete "
                ".local/dynamodb)."
            )
        self._reader = StreamReader(dynamodb_streams_client(endpoint), stream_arn, source.accepts)
        self._stop = threading.Event()
        self._wake = threading.Event()  # ends an idle wait early (a drain, stopping)
        self._running = running  # cleared while paused: records queue up in the stream
        self._cond = threading.Condition()
        self._cycle = 0  # poll cycles started
        self._idle_cycle = 0  # the last cycle that found nothing left to process
        self._discover_at = time.monotonic() + DISCOVER_SECONDS
        self._thread = threading.Thread(target=self._run, name=f"stream-{source.table}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def wait_until_drained(self, stall_seconds: float) -> bool:
        """True once a poll cycle that started after this call found nothing to process; False
        if no batch went through for `stall_seconds` (a stuck stream, not a slow one), or paused."""
        with self._cond:
            target = self._cycle
            self._discover_at = 0.0  # a shard that opened since the last look counts too
            self._wake.set()
            progress, deadline = self._cycle, time.monotonic() + stall_seconds
            while self._idle_cycle <= target:
                if self._cycle != progress:  # a batch went through meanwhile: still moving
                    progress, deadline = self._cycle, time.monotonic() + stall_seconds
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._running.is_set() or self._stop.is_set():
                    return False
                self._cond.wait(min(remaining, 0.5))
            return True

    def _run(self) -> None:
        idle_wait = POLL_SECONDS
        while not self._stop.is_set():
            with self._cond:
                self._cycle += 1
                cycle = self._cycle
            if self._poll_safely():
                with self._cond:
                    self._idle_cycle = cycle
                    self._cond.notify_all()
                self._wake.wait(idle_wait)
                self._wake.clear()
                idle_wait = min(idle_wait * 2, IDLE_POLL_SECONDS)
            else:  # records came: look again at once, unless they are held back
                idle_wait = POLL_SECONDS
                if not self._running.is_set():
                    self._stop.wait(POLL_SECONDS)

    def _poll_safely(self) -> bool:
        """`poll_once`, logging what went wrong instead of stopping the poller (DynamoDB Local
        restarting, a bug in one batch); False then, as the stream may not be processed."""
        try:
            return self.poll_once()
        except ClientError as error:
            gone = error.response["Error"]["Code"] in STREAM_GONE_ERRORS
            if not (gone and self._reattach()):
                LOG.warning("Stream of %s: %s", self.source.table, error)
                self._stop.wait(REATTACH_SECONDS if gone else POLL_SECONDS)
        except BotoCoreError as error:  # DynamoDB Local unreachable
            LOG.warning("Stream of %s: %s", self.source.table, error)
            self._stop.wait(POLL_SECONDS)
        except Exception:
            LOG.exception("Stream of %s: polling failed", self.source.table)
            self._stop.wait(POLL_SECONDS)
        return False

    def _reattach(self) -> bool:
        """Follow the table to its new stream once the one read is gone, reading it from its first
        record (everything in it is new). False while there is no new stream yet."""
        try:
            stream_arn = latest_stream(self._endpoint, self.source.table)
        except (BotoCoreError, ClientError):
            return False
        if stream_arn is None or stream_arn == self._reader.stream_arn:
            return False
        LOG.info("Stream of %s: the table has a new stream; reading it from the start", self.source.table)
        self._reader = StreamReader(self._reader.client, stream_arn, self.source.accepts, from_start=True)
        return True

    def poll_once(self) -> bool:
        """Read every shard and process what came (unless paused: then records only queue up,
        and iterators stay fresh); True if there was nothing to process."""
        if time.monotonic() >= self._discover_at:
            self._discover_at = time.monotonic() + DISCOVER_SECONDS
            self._reader.discover()
        idle = True
        for shard in list(self._reader.shards.values()):
            self._reader.read(shard)
            idle = idle and not shard.pending
            while shard.pending and self._running.is_set() and not self._stop.is_set():
                self._process(shard, shard.pending[: self.source.batch_size])
        return idle

    def _process(self, shard: Shard, batch: list[Record]) -> None:
        self.invocations += deliver(self.source, batch, self._invoke, self._stop.wait)
        del shard.pending[: len(batch)]


class StreamPollers:
    """Every stream source of the template, polled while `poll_streams` runs."""

    def __init__(self, pollers: list[StreamPoller], running: threading.Event) -> None:
        self.pollers = pollers
        self._running = running

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def drain(self, stall_seconds: float = 60.0) -> bool:
        """Wait until every change made before the call has been processed, however long that
        takes while batches go through (False: a stream stalled for `stall_seconds`, or paused)."""
        return all(poller.wait_until_drained(stall_seconds) for poller in self.pollers)

    def status(self) -> dict[str, Any]:
        sources = [
            {"function": p.source.function, "table": p.source.table, "invocations": p.invocations}
            for p in self.pollers
        ]
        return {"paused": self.paused, "sources": sources}


@contextmanager
def poll_streams(sources: list[StreamSource], endpoint: str, invoke: Invoke) -> Iterator[StreamPollers]:
    """Start a poller per source (positioned before this returns, so no change made after it
    is missed); stop them all on the way out."""
    running = threading.Event()
    running.set()
    pollers = [StreamPoller(source, endpoint, invoke, running) for source in sources]
    for poller in pollers:
        LOG.info("Polling the stream of %s for %s", poller.source.table, poller.source.function)
        poller.start()
    try:
        yield StreamPollers(pollers, running)
    finally:
        for poller in pollers:
            poller.stop()
