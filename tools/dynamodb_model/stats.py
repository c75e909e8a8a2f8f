"""What the model saw: requests, conflicts and the write units DynamoDB would bill.

Billing follows DynamoDB's on-demand rules for items up to 1 KB: a write request unit per item of a
PutItem, UpdateItem, DeleteItem or BatchWriteItem (a failed condition is billed too), two per item
of a TransactWriteItems (prepare and commit). A transaction cancelled by a conflict is counted as
billed for every item: the model takes the conservative side, so a design that causes conflicts
is never made to look cheaper than it is.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from dynamodb_model.kinds import Kind
from dynamodb_model.operations import Operation

_UNITS_PER_ITEM = {Kind.SINGLE_WRITE: 1, Kind.BATCH_WRITE: 1, Kind.TRANSACT_WRITE: 2}


@dataclass
class Snapshot:
    requests: Counter[str] = field(default_factory=Counter)
    conflicts: int = 0  # TransactionConflictException answers
    cancelled: int = 0  # TransactionCanceledException answers caused by a conflict
    write_units: int = 0  # billed, committed or not

    def as_dict(self) -> dict[str, object]:
        return {
            "requests": dict(self.requests),
            "conflicts": self.conflicts,
            "cancelled": self.cancelled,
            "write_units": self.write_units,
        }


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._now = Snapshot()

    def record(self, operation: Operation, *, rejected: bool) -> None:
        units = _UNITS_PER_ITEM.get(operation.kind, 0) * max(1, len(operation.keys))
        with self._lock:
            self._now.requests[operation.name] += 1
            self._now.write_units += units
            if rejected and operation.kind in (Kind.TRANSACT_WRITE, Kind.TRANSACT_GET):
                self._now.cancelled += 1
            elif rejected:
                self._now.conflicts += 1

    def snapshot(self) -> Snapshot:
        with self._lock:
            now = self._now
            return Snapshot(Counter(now.requests), now.conflicts, now.cancelled, now.write_units)

    def reset(self) -> None:
        with self._lock:
            self._now = Snapshot()
