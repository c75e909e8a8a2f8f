"""Moto's TransactWriteItems with one rollback snapshot per table, not one per action.

moto 5.2.5 takes its rollback snapshot (`copy.deepcopy` of the whole table, stream records
included) once for every action of the transaction: a 100-action promotion on a table of a few
hundred rows took 2.7 s, and the crowded scenarios spent most of their time there. Every
snapshot is taken before the first action applies, so the copies of one table are equal; here
the first is reused for the rest. What a transaction does, and what a cancelled one leaves, is
unchanged.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from functools import wraps
from typing import Any

import pytest
from moto.dynamodb import models
from moto.dynamodb.models.table import Table

_snapshots = threading.local()  # table id -> its snapshot, while this thread runs a transaction


class _SnapshotOnce:
    """Stands in for the `copy` module inside moto.dynamodb.models."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        taken: dict[int, Any] | None = getattr(_snapshots, "taken", None)
        if taken is None or not isinstance(value, Table):
            return copy.deepcopy(value, memo)
        if id(value) not in taken:
            taken[id(value)] = copy.deepcopy(value, memo)
        return taken[id(value)]


def _one_snapshot_per_table(transact: Callable[..., None]) -> Callable[..., None]:
    @wraps(transact)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        _snapshots.taken = {}
        try:
            transact(self, transact_items)
        finally:
            _snapshots.taken = None

    return transact_write_items


def snapshot_each_table_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Moto's transactions take one rollback snapshot per table until `monkeypatch` undoes it."""
    transact = _one_snapshot_per_table(models.DynamoDBBackend.transact_write_items)
    monkeypatch.setattr(models, "copy", _SnapshotOnce())
    monkeypatch.setattr(models.DynamoDBBackend, "transact_write_items", transact)
