"""What a DynamoDB request is, as far as conflicts go: its kind and the items it touches."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dynamodb_model.inflight import ItemKey
from dynamodb_model.kinds import Kind

KINDS = {
    "GetItem": Kind.READ,
    "BatchGetItem": Kind.READ,
    "Query": Kind.READ,
    "Scan": Kind.READ,
    "PutItem": Kind.SINGLE_WRITE,
    "UpdateItem": Kind.SINGLE_WRITE,
    "DeleteItem": Kind.SINGLE_WRITE,
    "BatchWriteItem": Kind.BATCH_WRITE,
    "TransactWriteItems": Kind.TRANSACT_WRITE,
    "TransactGetItems": Kind.TRANSACT_GET,
}
# Control-plane calls that change key schemas: forget what was learned about those tables.
SCHEMA_CHANGES = frozenset({"CreateTable", "DeleteTable"})


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    kind: Kind
    keys: tuple[ItemKey, ...]  # in request order (for a transaction: one per action)


class KeySchemas:
    """The key attribute names of each table, asked of DynamoDB once and remembered."""

    def __init__(self, describe: Callable[[str], list[str]]) -> None:
        self._describe = describe
        self._known: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def key_names(self, table: str) -> list[str]:
        with self._lock:
            if table not in self._known:
                self._known[table] = self._describe(table)
            return self._known[table]

    def forget(self) -> None:
        with self._lock:
            self._known.clear()


def item_key(table: str, key: dict[str, Any]) -> ItemKey:
    return table, json.dumps(key, sort_keys=True, separators=(",", ":"))


def _from_item(schemas: KeySchemas, table: str, item: dict[str, Any]) -> ItemKey:
    return item_key(table, {name: item.get(name) for name in schemas.key_names(table)})


def _transaction_keys(schemas: KeySchemas, actions: list[dict[str, Any]]) -> list[ItemKey]:
    keys = []
    for action in actions:
        ((verb, spec),) = action.items()
        if verb == "Put":
            keys.append(_from_item(schemas, spec["TableName"], spec["Item"]))
        else:  # Get, Update, Delete, ConditionCheck
            keys.append(item_key(spec["TableName"], spec["Key"]))
    return keys


def _batch_write_keys(schemas: KeySchemas, request_items: dict[str, list[dict[str, Any]]]) -> list[ItemKey]:
    keys = []
    for table, requests in request_items.items():
        for request in requests:
            if "PutRequest" in request:
                keys.append(_from_item(schemas, table, request["PutRequest"]["Item"]))
            else:
                keys.append(item_key(table, request["DeleteRequest"]["Key"]))
    return keys


def parse(name: str, body: dict[str, Any], schemas: KeySchemas) -> Operation:
    """The operation named by X-Amz-Target (without its prefix) with its JSON body.

    Malformed bodies touch nothing here: DynamoDB Local answers them with its validation error.
    """
    kind = KINDS.get(name, Kind.OTHER)
    keys: list[ItemKey] = []
    try:
        if kind is Kind.SINGLE_WRITE:
            table = body["TableName"]
            keys = [
                _from_item(schemas, table, body["Item"])
                if name == "PutItem"
                else item_key(table, body["Key"])
            ]
        elif kind in (Kind.TRANSACT_WRITE, Kind.TRANSACT_GET):
            keys = _transaction_keys(schemas, body["TransactItems"])
        elif kind is Kind.BATCH_WRITE:
            keys = _batch_write_keys(schemas, body["RequestItems"])
    except (KeyError, TypeError, ValueError, AttributeError):
        keys = []
    return Operation(name, kind, tuple(keys))
