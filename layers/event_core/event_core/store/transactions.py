"""TransactWriteItems with the cancellation reasons turned into data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from event_core.store.client import dynamodb

CONDITION_FAILED = "ConditionalCheckFailed"
CONFLICT = "TransactionConflict"


class TransactionCancelled(Exception):
    """The transaction wrote nothing; reasons[i] is the code for the i-th action."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(", ".join(reasons))
        self.reasons = reasons

    def failed(self, index: int) -> bool:
        return self.reasons[index] == CONDITION_FAILED


def transact(actions: Sequence[dict[str, Any]]) -> None:
    try:
        dynamodb().transact_write_items(TransactItems=list(actions))  # type: ignore[arg-type]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        reasons = [r.get("Code", "None") for r in error.response.get("CancellationReasons", [])]
        raise TransactionCancelled(reasons or [CONFLICT]) from error
