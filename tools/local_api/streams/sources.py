"""The template's DynamoDB stream event sources: which function reads which table's stream, in
batches of how many records, and which records reach it (FilterCriteria)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from local_api.errors import LocalApiError

if TYPE_CHECKING:
    from moto.events.models import EventPattern
    from moto.events.utils import EventMessageType

LOG = logging.getLogger(__name__)

EVENT_TYPE = "DynamoDB"
Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class StreamSource:
    """A function's `Type: DynamoDB` event, with the properties the local pollers honour."""

    function: str
    table: str  # logical id = local table name
    batch_size: int = 100
    report_item_failures: bool = False  # FunctionResponseTypes: [ReportBatchItemFailures]
    maximum_retry_attempts: int = -1  # then the rest of the batch is skipped; -1: retried forever
    # FilterCriteria: Lambda's filters are EventBridge patterns, matched here by moto's matcher.
    filters: tuple[EventPattern, ...] = ()

    def accepts(self, record: Record) -> bool:
        """Whether Lambda hands the record to the function (no filters: every record)."""
        event = cast("EventMessageType", record)  # typed as an EventBridge event; any JSON object matches
        return not self.filters or any(pattern.matches_event(event) for pattern in self.filters)

    @classmethod
    def from_event(cls, function: str, properties: Mapping[str, Any]) -> StreamSource | None:
        table = stream_table(properties.get("Stream"))
        if table is None:
            LOG.warning(
                "%s: stream %r is not a table of the template; skipped", function, properties.get("Stream")
            )
            return None
        from moto.events.exceptions import InvalidEventPatternException  # here: only servers pay the import
        from moto.events.models import EventPattern

        filters = (properties.get("FilterCriteria") or {}).get("Filters") or []
        try:
            patterns = tuple(EventPattern.load(entry["Pattern"]) for entry in filters)
        except (InvalidEventPatternException, KeyError, TypeError) as error:
            raise LocalApiError(f"{function}: FilterCriteria cannot be applied: {error}") from None
        return cls(
            function=function,
            table=table,
            batch_size=int(properties.get("BatchSize", 100)),
            report_item_failures="ReportBatchItemFailures" in (properties.get("FunctionResponseTypes") or []),
            maximum_retry_attempts=int(properties.get("MaximumRetryAttempts", -1)),
            filters=patterns,
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
    """The enabled DynamoDB stream sources of the functions (SAM CLI `Function`s) that run locally."""
    names = set(runnable)
    sources = []
    for function in functions:
        for event in (function.events or {}).values():
            properties = event.get("Properties") or {}
            if event.get("Type") != EVENT_TYPE or not properties.get("Enabled", True):
                continue
            if function.name not in names:
                LOG.warning("%s: does not run locally; its stream is not polled", function.name)
                continue
            source = StreamSource.from_event(function.name, properties)
            if source is not None:
                sources.append(source)
    return sources
