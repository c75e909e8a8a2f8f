"""DynamoDB stream event sources, emulated: poll the template's table streams in DynamoDB Local
and invoke the subscribed functions the way Lambda's event source mappings do.

For every function event of `Type: DynamoDB`, a poller thread reads the table's stream shard by
shard and invokes the function (through the same warm workers as the API) with batches of up to
`BatchSize` records, in the event shape Lambda uses. Failures are handled as Lambda does:

- `FunctionResponseTypes: [ReportBatchItemFailures]`: the batch is retried from the first failed
  record (the lowest `itemIdentifier`); an unknown or empty identifier fails the whole batch.
- a function error: with `BisectBatchOnFunctionError` the batch is split in two and each half
  retried (splitting does not count as a retry); otherwise it is retried whole.
- after `MaximumRetryAttempts` retries (-1: forever) the rest of the batch is skipped and a
  Lambda-style failure record (shard, sequence numbers) is kept as a dead letter.

`FilterCriteria` is applied as Lambda's event filtering does, before batching: a record reaches
the function only if it matches one of the patterns; the others are dropped. The patterns may
use exact values, `prefix`, `anything-but` and `exists` (what this project's template uses); a
source with any other pattern is delivered unfiltered, with a warning.

Pollers start at the LATEST position when the server starts: the local server publishes the
changes made while it runs, not the history of a database it reuses. Shards found later are read
from their start. `pause()`/`resume()` hold records back (to build a batch on purpose in tests)
and `drain()` waits until every stream has been processed up to now.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from local_api.clients import DUMMY_KEY, REGION, dynamodb_client
from local_api.lambda_context import ACCOUNT_ID
from local_api.process import Reply

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.literals import StreamViewTypeType

LOG = logging.getLogger(__name__)

EVENT_TYPE = "DynamoDB"
POLL_SECONDS = 0.1
# A quiet stream is polled less and less often, down to every IDLE_POLL_SECONDS (AWS polls a shard
# about four times a second); any record brings the pace back to POLL_SECONDS, and a drain polls
# at once. Polling every 0.1 s around the clock cost a server and its DynamoDB Local ~0.13 CPU-s
# a second when nothing happened.
IDLE_POLL_SECONDS = 0.5
DEFAULT_VIEW_TYPE = "NEW_AND_OLD_IMAGES"
REPOSITION_ERRORS = frozenset({"TrimmedDataAccessException", "ExpiredIteratorException"})
# What reading a stream answers once the stream is gone (DynamoDB Local restarted, the table
# deleted and created again): "Invalid ShardId", "Requested resource not found".
STREAM_GONE_ERRORS = frozenset({"ValidationException", "ResourceNotFoundException"})
REATTACH_SECONDS = 1.0  # how often to look for the table's new stream meanwhile
MAX_BACKOFF_SECONDS = 2.0
DISCOVER_SECONDS = 5.0  # how often to look for new shards (and whenever a drain is asked for)

Invoke = Callable[[str, Any], Reply]
Record = dict[str, Any]
Pattern = dict[str, Any]
FILTER_OPERATORS = frozenset({"prefix", "anything-but", "exists"})


# ------------------------------------------------------------------ event filtering


def parse_filters(criteria: Mapping[str, Any] | None) -> tuple[Pattern, ...]:
    """`FilterCriteria: {Filters: [{Pattern: '<json>'}]}` -> the patterns; ValueError for a
    pattern that is not JSON or uses an operator the emulation does not know."""
    patterns = []
    for entry in (criteria or {}).get("Filters") or []:
        raw = entry.get("Pattern") if isinstance(entry, Mapping) else None
        pattern = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(pattern, dict):
            raise ValueError(f"a filter pattern must be a JSON object: {raw!r}")
        _check_pattern(pattern)
        patterns.append(pattern)
    return tuple(patterns)


def _check_pattern(pattern: Pattern) -> None:
    for value in pattern.values():
        if isinstance(value, dict):
            _check_pattern(value)
        elif not isinstance(value, list) or not value:
            raise ValueError(f"a pattern's leaf must be a non-empty list: {value!r}")
        else:
            for condition in value:
                if isinstance(condition, dict) and (len(condition) != 1 or set(condition) - FILTER_OPERATORS):
                    raise ValueError(f"unsupported filter condition: {condition!r}")


_MISSING = object()


def matches(pattern: Pattern, data: Any) -> bool:
    """Whether a record (or part of one) matches a Lambda event filter pattern."""
    for name, expected in pattern.items():
        value = data.get(name, _MISSING) if isinstance(data, dict) else _MISSING
        if isinstance(expected, dict):
            if not (isinstance(value, dict) and matches(expected, value)):
                return False
        elif not any(_meets(condition, value) for condition in expected):
            return False
    return True


def _meets(condition: Any, value: Any) -> bool:
    if isinstance(condition, dict):
        ((operator, operand),) = condition.items()
        if operator == "exists":
            return (value is not _MISSING) is bool(operand)
        if value is _MISSING:
            return False
        if operator == "prefix":
            return isinstance(value, str) and value.startswith(operand)
        excluded = operand if isinstance(operand, list) else [operand]  # anything-but
        return value not in excluded
    if isinstance(value, list):  # a value in an array matches if any element does
        return condition in value
    return value is not _MISSING and value == condition


@dataclass(frozen=True, slots=True)
class StreamSource:
    """A function's `Type: DynamoDB` event, with the properties the emulation honours."""

    function: str
    table: str  # logical id = local table name
    batch_size: int = 100
    maximum_retry_attempts: int = -1
    bisect_on_error: bool = False
    report_item_failures: bool = False
    enabled: bool = True
    filters: tuple[Pattern, ...] = ()  # FilterCriteria patterns; none: every record

    def accepts(self, record: Record) -> bool:
        return not self.filters or any(matches(pattern, record) for pattern in self.filters)

    @classmethod
    def from_event(cls, function: str, properties: Mapping[str, Any]) -> StreamSource | None:
        table = stream_table(properties.get("Stream"))
        if table is None:
            LOG.warning(
                "%s: stream %r is not a table of the template; skipped", function, properties.get("Stream")
            )
            return None
        try:
            filters = parse_filters(properties.get("FilterCriteria"))
        except (ValueError, TypeError) as error:
            LOG.warning(
                "%s: FilterCriteria not applied locally (%s): every record is delivered", function, error
            )
            filters = ()
        return cls(
            function=function,
            table=table,
            batch_size=int(properties.get("BatchSize", 100)),
            maximum_retry_attempts=int(properties.get("MaximumRetryAttempts", -1)),
            bisect_on_error=bool(properties.get("BisectBatchOnFunctionError", False)),
            report_item_failures="ReportBatchItemFailures" in (properties.get("FunctionResponseTypes") or []),
            enabled=bool(properties.get("Enabled", True)),
            filters=filters,
        )


def stream_table(stream: Any) -> str | None:
    """`!GetAtt Table.StreamArn` in any of its parsed forms, or a stream ARN -> the table."""
    if isinstance(stream, dict) and "Fn::GetAtt" in stream:
        target = stream["Fn::GetAtt"]
        parts = target.split(".", 1) if isinstance(target, str) else list(target)
        return str(parts[0]) if len(parts) == 2 and parts[1] == "StreamArn" else None
    if isinstance(stream, str) and ":table/" in stream:
        return stream.split(":table/", 1)[1].split("/", 1)[0]
    return None


def stream_sources(functions: Iterable[Any], runnable: Iterable[str]) -> list[StreamSource]:
    """The DynamoDB stream sources of the functions (SAM CLI `Function`s) that run locally."""
    names = set(runnable)
    sources = []
    for function in functions:
        for event in (function.events or {}).values():
            if event.get("Type") != EVENT_TYPE:
                continue
            if function.name not in names:
                LOG.warning("%s: does not run locally; its stream is not polled", function.name)
                continue
            source = StreamSource.from_event(function.name, event.get("Properties") or {})
            if source is not None and source.enabled:
                sources.append(source)
    return sources


# ------------------------------------------------------------------ Lambda's event shape


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def lambda_record(record: Record, stream_arn: str) -> Record:
    """A GetRecords record (as boto3 parses it) -> the record Lambda hands the function."""
    stream = dict(record["dynamodb"])
    created = stream.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        stream["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        **_jsonable({k: v for k, v in record.items() if k != "dynamodb"}),
        "awsRegion": REGION,
        "eventSourceARN": stream_arn,
        "dynamodb": _jsonable(stream),
    }


def failure_record(
    source: StreamSource, shard: Shard, batch: list[Record], condition: str, attempts: int
) -> Record:
    """What Lambda sends to the on-failure destination: where the batch is, not the records."""
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{source.function}",
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "DDBStreamBatchInfo": {
            "shardId": shard.shard_id,
            "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
            "batchSize": len(batch),
            "streamArn": shard.stream_arn,
        },
    }


# ------------------------------------------------------------------ reading a stream


@dataclass
class Shard:
    stream_arn: str
    shard_id: str
    iterator: str | None
    pending: list[Record] = field(default_factory=list)  # read, not yet processed (Lambda records)
    last_sequence: str | None = None  # of the last record read


def streams_client(endpoint: str) -> Any:
    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=5)
    return boto3.client(
        "dynamodbstreams",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=DUMMY_KEY,
        aws_secret_access_key=DUMMY_KEY,
        config=config,
    )


def ensure_stream(endpoint: str, table: str, view_type: str = DEFAULT_VIEW_TYPE) -> str:
    """The table's stream ARN, turning the stream on first if the table was created without one
    (a DynamoDB reused from before the template asked for a stream)."""
    client = dynamodb_client(endpoint)
    description = client.describe_table(TableName=table)["Table"]
    if description.get("StreamSpecification", {}).get("StreamEnabled") and "LatestStreamArn" in description:
        return description["LatestStreamArn"]
    LOG.info("Turning on the stream of %s (%s)", table, view_type)
    client.update_table(
        TableName=table,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": cast("StreamViewTypeType", view_type)},
    )
    return client.describe_table(TableName=table)["Table"]["LatestStreamArn"]


class StreamReader:
    """The shards of one stream, each with its position. Not thread-safe: one poller owns it."""

    def __init__(
        self,
        client: Any,
        stream_arn: str,
        accepts: Callable[[Record], bool] = lambda _: True,
        *,
        from_start: bool = False,
    ) -> None:
        self._client = client
        self.stream_arn = stream_arn
        self._accepts = accepts  # the event source's filter: other records are dropped
        self.shards: dict[str, Shard] = {}
        self._known: set[str] = set()
        self.discover(initial=not from_start)

    def discover(self, *, initial: bool = False) -> None:
        """Track new shards: open ones at LATEST on start, later ones from their beginning."""
        description = self._client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id in self._known:
                continue
            self._known.add(shard_id)
            closed = "EndingSequenceNumber" in shard.get("SequenceNumberRange", {})
            if initial and closed:
                continue
            position = "LATEST" if initial else "TRIM_HORIZON"
            iterator = self._client.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType=position
            )["ShardIterator"]
            self.shards[shard_id] = Shard(self.stream_arn, shard_id, iterator)

    def read(self, shard: Shard) -> None:
        """Append the shard's next records to `pending`; forget the shard once it is closed
        and fully processed."""
        if shard.iterator is None:
            if not shard.pending:
                del self.shards[shard.shard_id]
            return
        try:
            response = self._client.get_records(ShardIterator=shard.iterator)
        except ClientError as error:
            if error.response["Error"]["Code"] not in REPOSITION_ERRORS:
                raise
            shard.iterator = self._reposition(shard)
            response = self._client.get_records(ShardIterator=shard.iterator)
        shard.iterator = response.get("NextShardIterator")
        records = response.get("Records", [])
        if records:
            shard.last_sequence = records[-1]["dynamodb"]["SequenceNumber"]
            converted = (lambda_record(r, self.stream_arn) for r in records)
            shard.pending.extend(r for r in converted if self._accepts(r))

    def _reposition(self, shard: Shard) -> str:
        """A new iterator just after the last record read, or at the oldest record if none was.

        DynamoDB Local numbers records across all its streams, so an iterator taken on an empty
        shard can point before the shard's first record, and reading it fails with
        TrimmedDataAccessException; an iterator also expires after 15 minutes. Either way
        nothing that was not read is skipped.
        """
        position: dict[str, Any] = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": shard.last_sequence}
            if shard.last_sequence
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        response = self._client.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard.shard_id, **position
        )
        return str(response["ShardIterator"])


# ------------------------------------------------------------------ delivering, with retries


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one invocation left to do: nothing, the records from a checkpoint, or all of it."""

    failed_from: int | None  # index of the first record to retry; None: all done
    function_error: bool = False


def outcome(source: StreamSource, batch: list[Record], reply: Reply) -> Outcome:
    if reply.is_error:
        return Outcome(0, function_error=True)
    if not source.report_item_failures:
        return Outcome(None)
    try:
        failures = (json.loads(reply.body) or {}).get("batchItemFailures") or []
        identifiers = [f["itemIdentifier"] for f in failures]
    except (ValueError, AttributeError, TypeError, KeyError):
        return Outcome(0)  # an unreadable response fails the whole batch, as in Lambda
    if not identifiers:
        return Outcome(None)
    positions = {r["dynamodb"]["SequenceNumber"]: i for i, r in enumerate(batch)}
    if not all(isinstance(i, str) and i in positions for i in identifiers):
        return Outcome(0)
    return Outcome(min(positions[i] for i in identifiers))


def deliver(
    source: StreamSource,
    batch: list[Record],
    invoke: Invoke,
    dead_letter: Callable[[list[Record], int], None],
    wait: Callable[[float], bool],
) -> int:
    """Invoke `source.function` until `batch` is processed, retrying as Lambda does; records
    whose retries ran out go to `dead_letter(records, attempts)`. `wait(seconds)` sleeps between
    retries and returns True to give up (the server is stopping). Returns the invocations made.
    """
    limit = source.maximum_retry_attempts
    queue: deque[tuple[list[Record], int]] = deque([(batch, 0)])
    invocations = 0
    while queue:
        part, retries = queue.popleft()
        invocations += 1
        result = outcome(source, part, invoke(source.function, {"Records": part}))
        if result.failed_from is None:
            continue
        if result.function_error and source.bisect_on_error and len(part) > 1:
            half = len(part) // 2
            LOG.info("%s: function error, bisecting a batch of %d", source.function, len(part))
            queue.extendleft([(part[half:], retries), (part[:half], retries)])
            continue
        rest = part[result.failed_from :]
        if 0 <= limit <= retries:
            LOG.warning(
                "%s: %d record(s) of %s failed after %d retries; dead-lettered",
                source.function,
                len(rest),
                source.table,
                retries,
            )
            dead_letter(rest, retries + 1)
            continue
        LOG.info("%s: retrying %d record(s) of %s", source.function, len(rest), source.table)
        if wait(min(0.05 * 2**retries, MAX_BACKOFF_SECONDS)):
            break
        queue.appendleft((rest, retries + 1))
    return invocations


class StreamPoller:
    """One event source mapping: a thread that reads a table's stream and invokes a function."""

    def __init__(
        self,
        source: StreamSource,
        endpoint: str,
        invoke: Invoke,
        dead_letters: DeadLetters,
        *,
        view_type: str | None = None,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.source = source
        self._invoke = invoke
        self._dead_letters = dead_letters
        self._poll_seconds = poll_seconds
        self._endpoint = endpoint
        self._view_type = view_type or DEFAULT_VIEW_TYPE
        self._reader = StreamReader(
            streams_client(endpoint), ensure_stream(endpoint, source.table, self._view_type), source.accepts
        )
        self._stop = threading.Event()
        self._wake = threading.Event()  # set to end an idle wait early (a drain, stopping)
        self._running = threading.Event()  # cleared while paused
        self._running.set()
        self._cond = threading.Condition()
        self._cycle = 0  # poll cycles started
        self._idle_cycle = 0  # the last cycle that found nothing left to process
        self._discover_at = time.monotonic() + DISCOVER_SECONDS
        self.invocations = 0
        self._thread = threading.Thread(target=self._run, name=f"stream-{source.table}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait_until_drained(self, deadline: float) -> bool:
        """True once a poll cycle that started after this call found nothing to process."""
        with self._cond:
            target = self._cycle
            self._discover_at = 0.0  # a shard that opened since the last look counts too
            self._wake.set()
            while self._idle_cycle <= target:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.paused or self._stop.is_set():
                    return False
                self._cond.wait(min(remaining, 0.5))
            return True

    def _run(self) -> None:
        idle_wait = self._poll_seconds
        while not self._stop.is_set():
            with self._cond:
                self._cycle += 1
                cycle = self._cycle
            try:
                idle = self.poll_once()
            except ClientError as error:
                gone = error.response["Error"]["Code"] in STREAM_GONE_ERRORS
                if not (gone and self._reattach()):
                    LOG.warning("Stream of %s: %s", self.source.table, error)
                    self._stop.wait(REATTACH_SECONDS if gone else self._poll_seconds)
                idle = False
            except BotoCoreError as error:  # DynamoDB unreachable (restarting): try again
                LOG.warning("Stream of %s: %s", self.source.table, error)
                idle = False
                self._stop.wait(self._poll_seconds)
            except Exception:  # keep polling: a bug in one batch must not stop the emulation
                LOG.exception("Stream of %s: polling failed", self.source.table)
                idle = False
                self._stop.wait(self._poll_seconds)
            if idle:
                with self._cond:
                    self._idle_cycle = cycle
                    self._cond.notify_all()
                self._wake.wait(idle_wait)
                self._wake.clear()
                idle_wait = min(idle_wait * 2, max(IDLE_POLL_SECONDS, self._poll_seconds))
            else:
                idle_wait = self._poll_seconds

    def _reattach(self) -> bool:
        """Follow the table to its new stream when the one read is gone (DynamoDB Local was
        restarted, or the table made again): read it from its first record, as everything in it
        is new. False while there is no such stream (the table not made again yet) or it is the
        same one."""
        try:
            stream_arn = ensure_stream(self._endpoint, self.source.table, self._view_type)
        except (BotoCoreError, ClientError):
            return False
        if stream_arn == self._reader.stream_arn:
            return False
        LOG.info("Stream of %s: the table has a new stream; reading it from the start", self.source.table)
        self._reader = StreamReader(self._reader._client, stream_arn, self.source.accepts, from_start=True)
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
                batch = shard.pending[: self.source.batch_size]
                self._process(shard, batch)
                del shard.pending[: len(batch)]
        return idle

    def _process(self, shard: Shard, batch: list[Record]) -> None:
        def dead_letter(records: list[Record], attempts: int) -> None:
            failure = failure_record(self.source, shard, records, "RetryAttemptsExhausted", attempts)
            self._dead_letters.add(failure)

        self.invocations += deliver(self.source, batch, self._invoke, dead_letter, self._stop.wait)


@dataclass
class DeadLetters:
    """The local on-failure destination: Lambda-style failure records, in order."""

    _records: list[Record] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: Record) -> None:
        with self._lock:
            self._records.append(record)

    def records(self) -> list[Record]:
        with self._lock:
            return list(self._records)


class StreamPollers:
    """Every stream source of the template, polled while the context is open."""

    def __init__(self, pollers: list[StreamPoller], dead_letters: DeadLetters) -> None:
        self.pollers = pollers
        self.dead_letters = dead_letters

    def pause(self) -> None:
        for poller in self.pollers:
            poller.pause()

    def resume(self) -> None:
        for poller in self.pollers:
            poller.resume()

    @property
    def paused(self) -> bool:
        return any(poller.paused for poller in self.pollers)

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until every change made before the call has been processed (False: timed out or
        paused)."""
        deadline = time.monotonic() + timeout
        return all(poller.wait_until_drained(deadline) for poller in self.pollers)

    def status(self) -> dict[str, Any]:
        return {
            "paused": self.paused,
            "sources": [
                {
                    "function": p.source.function,
                    "table": p.source.table,
                    "batchSize": p.source.batch_size,
                    "maximumRetryAttempts": p.source.maximum_retry_attempts,
                    "invocations": p.invocations,
                }
                for p in self.pollers
            ],
            "deadLetters": self.dead_letters.records(),
        }


@contextmanager
def poll_streams(
    sources: list[StreamSource],
    endpoint: str,
    invoke: Invoke,
    view_types: Mapping[str, str] | None = None,
) -> Iterator[StreamPollers]:
    """Start a poller per source (positioned before this returns, so no change made after it
    is missed); stop them all on the way out."""
    dead_letters = DeadLetters()
    view_types = view_types or {}
    pollers = [
        StreamPoller(source, endpoint, invoke, dead_letters, view_type=view_types.get(source.table))
        for source in sources
    ]
    for poller in pollers:
        LOG.info("Polling the stream of %s for %s", poller.source.table, poller.source.function)
        poller.start()
    try:
        yield StreamPollers(pollers, dead_letters)
    finally:
        for poller in pollers:
            poller.stop()
