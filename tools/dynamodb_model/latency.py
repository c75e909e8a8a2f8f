"""Modeled service latency per operation, and the time scale the proxy runs at.

Defaults (BENCHMARKS.md, "DynamoDB model", cites the sources): single-item reads and writes at
the "single-digit millisecond" latency DynamoDB is documented to deliver, and a TransactWriteItems
at about three times a single write, since each item is written twice (prepare, then commit)
through a transaction coordinator. Every figure can be overridden from the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from dynamodb_model.kinds import Kind


@dataclass(frozen=True, slots=True)
class Latencies:
    """Seconds each kind of operation takes on the service (before `scale`)."""

    read: float = 0.006  # GetItem, BatchGetItem, Query (strongly consistent), Scan
    single_write: float = 0.008  # PutItem, UpdateItem, DeleteItem
    batch_write: float = 0.010  # BatchWriteItem
    transact_write: float = 0.020  # TransactWriteItems: prepare + commit on every item
    transact_get: float = 0.012  # TransactGetItems
    rejected: float = 0.010  # a transaction cancelled by a conflict (found while preparing)
    scale: float = 1.0  # time dilation: wall seconds per modeled second

    def of(self, kind: Kind) -> float:
        seconds = {
            Kind.READ: self.read,
            Kind.SINGLE_WRITE: self.single_write,
            Kind.BATCH_WRITE: self.batch_write,
            Kind.TRANSACT_WRITE: self.transact_write,
            Kind.TRANSACT_GET: self.transact_get,
            Kind.OTHER: 0.0,
        }[kind]
        return seconds * self.scale

    def of_rejection(self) -> float:
        return self.rejected * self.scale

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Latencies:
        """DYNAMODB_MODEL_<FIELD>_MS (e.g. DYNAMODB_MODEL_TRANSACT_WRITE_MS=30) and
        DYNAMODB_MODEL_SCALE override the defaults."""
        values: dict[str, float] = {}
        for field in fields(cls):
            if field.name == "scale":
                raw = env.get("DYNAMODB_MODEL_SCALE", "").strip()
                if raw:
                    values["scale"] = float(raw)
                continue
            raw = env.get(f"DYNAMODB_MODEL_{field.name.upper()}_MS", "").strip()
            if raw:
                values[field.name] = float(raw) / 1000
        return cls(**values)
