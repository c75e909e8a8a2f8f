"""The items DynamoDB reads for the Queries a block of code makes: a listing's cost, counted from
the answers (ScannedCount, the items a Query reads and is charged for), never timed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from event_core.store.client import dynamodb


@contextmanager
def items_read() -> Iterator[list[int]]:
    """A list that gets, for each Query the store's client makes meanwhile, the items it read."""
    counts: list[int] = []

    def count(parsed: dict[str, Any], **_: Any) -> None:
        counts.append(parsed["ScannedCount"])

    hooks = dynamodb().meta.events
    hooks.register("after-call.dynamodb.Query", count)
    try:
        yield counts
    finally:
        hooks.unregister("after-call.dynamodb.Query", count)
