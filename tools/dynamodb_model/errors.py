"""DynamoDB's error answers for conflicts, as the service sends them (JSON 1.0 protocol)."""

from __future__ import annotations

import json

PREFIX = "com.amazonaws.dynamodb.v20120810#"
ONGOING = "Transaction is ongoing for the item"


def transaction_conflict() -> bytes:
    """A PutItem, UpdateItem, DeleteItem or BatchWriteItem on an item of an ongoing transaction."""
    return json.dumps({"__type": PREFIX + "TransactionConflictException", "message": ONGOING}).encode()


def transaction_cancelled(size: int, conflicting: list[int]) -> bytes:
    """TransactWriteItems or TransactGetItems cancelled: one reason per action, in order."""
    reasons: list[dict[str, str]] = [
        {"Code": "TransactionConflict", "Message": ONGOING} if index in conflicting else {"Code": "None"}
        for index in range(size)
    ]
    codes = ", ".join(reason["Code"] for reason in reasons)
    return json.dumps(
        {
            "__type": PREFIX + "TransactionCanceledException",
            "Message": (
                f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]"
            ),
            "CancellationReasons": reasons,
        }
    ).encode()
