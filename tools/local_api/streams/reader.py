"""Reading one table's stream in DynamoDB Local: its shards, a position in each, and the records
as Lambda hands them to a function."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from local_api.clients import REGION, dynamodb_client
from local_api.streams.sources import Record

# An iterator that points before the shard's first record, or has expired (15 minutes).
REPOSITION_ERRORS = frozenset({"TrimmedDataAccessException", "ExpiredIteratorException"})


def latest_stream(endpoint: str, table: str) -> str | None:
    """The ARN of the table's stream; None if it has none (a table made before the template
    gave it one)."""
    description = dynamodb_client(endpoint).describe_table(TableName=table)["Table"]
    return description.get("LatestStreamArn")


def lambda_record(record: Record, stream_arn: str) -> Record:
    """A GetRecords record (as boto3 parses it) -> the JSON record Lambda hands the function."""
    stream = dict(record["dynamodb"])
    created = stream.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        stream["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        **{k: v for k, v in record.items() if k != "dynamodb"},
        "awsRegion": REGION,
        "eventSourceARN": stream_arn,
        "dynamodb": _jsonable(stream),
    }


def _jsonable(value: Any) -> Any:
    """Binary attribute values (bytes, as boto3 parses them) back to base64 text."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


@dataclass
class Shard:
    shard_id: str
    iterator: str | None  # None once the shard is closed and read to its end
    pending: list[Record] = field(default_factory=list)  # read, not yet processed (Lambda records)
    last_sequence: str | None = None  # of the last record read


class StreamReader:
    """The shards of one stream, each with its position. Not thread-safe: one poller owns it.

    Shards open when the reader starts are read from LATEST (the local server publishes the
    changes made while it runs, not a reused database's history); shards found later, and every
    shard with `from_start`, from their first record. Only the records `accepts` are kept.
    """

    def __init__(
        self, client: Any, stream_arn: str, accepts: Callable[[Record], bool], *, from_start: bool = False
    ) -> None:
        self.client = client
        self.stream_arn = stream_arn
        self._accepts = accepts
        self.shards: dict[str, Shard] = {}
        self._known: set[str] = set()
        self.discover(initial=not from_start)

    def discover(self, *, initial: bool = False) -> None:
        """Track the shards opened since the last look."""
        description = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id in self._known:
                continue
            self._known.add(shard_id)
            if initial and "EndingSequenceNumber" in shard.get("SequenceNumberRange", {}):
                continue  # closed before we started: history
            iterator = self.client.get_shard_iterator(
                StreamArn=self.stream_arn,
                ShardId=shard_id,
                ShardIteratorType="LATEST" if initial else "TRIM_HORIZON",
            )["ShardIterator"]
            self.shards[shard_id] = Shard(shard_id, iterator)

    def read(self, shard: Shard) -> None:
        """Append the shard's next records to `pending`; forget the shard once it is closed
        and fully processed."""
        if shard.iterator is None:
            if not shard.pending:
                del self.shards[shard.shard_id]
            return
        try:
            response = self.client.get_records(ShardIterator=shard.iterator)
        except ClientError as error:
            if error.response["Error"]["Code"] not in REPOSITION_ERRORS:
                raise
            shard.iterator = self._reposition(shard)
            response = self.client.get_records(ShardIterator=shard.iterator)
        shard.iterator = response.get("NextShardIterator")
        records = response.get("Records", [])
        if records:
            shard.last_sequence = records[-1]["dynamodb"]["SequenceNumber"]
            converted = (lambda_record(r, self.stream_arn) for r in records)
            shard.pending.extend(r for r in converted if self._accepts(r))

    def _reposition(self, shard: Shard) -> str:
        """A new iterator just after the last record read, or at the oldest record if none was.

        DynamoDB Local numbers records across all its streams, so an iterator taken on an empty
        shard can point before the shard's first record (TrimmedDataAccessException). Either way
        nothing that was not read is skipped.
        """
        position: dict[str, Any] = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": shard.last_sequence}
            if shard.last_sequence
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        response = self.client.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard.shard_id, **position
        )
        return str(response["ShardIterator"])
