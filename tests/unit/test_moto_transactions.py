"""Moto's transactions with one rollback snapshot per table (tests/support/moto_transactions.py)
still apply whole or not at all, on every table they touch."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.invariants import EVENTS_TABLE, REGISTRATIONS_TABLE

ROWS = 30


def _rows(ddb: Any) -> dict[str, list[dict[str, Any]]]:
    return {table: ddb.scan(TableName=table)["Items"] for table in (EVENTS_TABLE, REGISTRATIONS_TABLE)}


def _bump(table: str, key: dict[str, Any], *, only_if: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": key,
            "UpdateExpression": "SET n = n + :one",
            "ConditionExpression": "n = :expected",
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":expected": {"N": str(only_if)}},
        }
    }


@pytest.fixture
def keys(ddb: Any) -> list[tuple[str, dict[str, Any]]]:
    """An event row and ROWS registration rows, each with n = 0."""
    event = {"eventId": {"S": "e"}}
    ddb.put_item(TableName=EVENTS_TABLE, Item={**event, "n": {"N": "0"}})
    registrations = [{"eventId": {"S": "e"}, "userId": {"S": f"u{i:03}"}} for i in range(ROWS)]
    for key in registrations:
        ddb.put_item(TableName=REGISTRATIONS_TABLE, Item={**key, "n": {"N": "0"}})
    return [(EVENTS_TABLE, event), *((REGISTRATIONS_TABLE, key) for key in registrations)]


def test_a_transaction_whose_last_condition_fails_leaves_every_table_as_it_was(
    ddb: Any, keys: list[tuple[str, dict[str, Any]]]
) -> None:
    before = _rows(ddb)
    actions = [_bump(table, key, only_if=0) for table, key in keys[:-1]]
    actions.append(_bump(*keys[-1], only_if=7))

    with pytest.raises(ClientError) as cancelled:
        ddb.transact_write_items(TransactItems=actions)

    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert _rows(ddb) == before


def test_a_transaction_whose_conditions_hold_applies_every_action(
    ddb: Any, keys: list[tuple[str, dict[str, Any]]]
) -> None:
    ddb.transact_write_items(TransactItems=[_bump(table, key, only_if=0) for table, key in keys])
    ddb.transact_write_items(TransactItems=[_bump(table, key, only_if=1) for table, key in keys])

    assert all(row["n"] == {"N": "2"} for rows in _rows(ddb).values() for row in rows)
