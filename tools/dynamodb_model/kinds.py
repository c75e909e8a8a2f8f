"""The kinds of DynamoDB operation, as the conflict rules tell them apart."""

from __future__ import annotations

from enum import Enum


class Kind(Enum):
    READ = "read"  # GetItem, BatchGetItem, Query, Scan: never part of a conflict
    SINGLE_WRITE = "single-write"  # PutItem, UpdateItem, DeleteItem
    BATCH_WRITE = "batch-write"  # BatchWriteItem
    TRANSACT_WRITE = "transact-write"  # TransactWriteItems
    TRANSACT_GET = "transact-get"  # TransactGetItems
    OTHER = "other"  # control plane (CreateTable, DescribeTable, ...): passed through


def conflicts(incoming: Kind, ongoing: Kind) -> bool:
    """Whether a request of kind `incoming` on an item is rejected while an `ongoing` one holds it.

    DynamoDB Developer Guide, "Transaction conflict handling in DynamoDB": a conflict occurs when
    - a PutItem, UpdateItem or DeleteItem request for an item conflicts with an ongoing
      TransactWriteItems request that includes the same item;
    - an item within a TransactWriteItems request is part of another ongoing TransactWriteItems;
    - an item within a TransactWriteItems request is part of an ongoing TransactGetItems;
    - an item within a TransactGetItems request is part of an ongoing TransactWriteItems,
      BatchWriteItem, PutItem, UpdateItem or DeleteItem request.
    Single-item reads and writes among themselves are serialized by the item's storage node and
    never conflict. BatchWriteItem is a set of single-item writes, so it meets an ongoing
    transaction as PutItem and DeleteItem do.
    """
    if incoming in (Kind.SINGLE_WRITE, Kind.BATCH_WRITE):
        return ongoing is Kind.TRANSACT_WRITE
    if incoming is Kind.TRANSACT_WRITE:
        return ongoing in (Kind.TRANSACT_WRITE, Kind.TRANSACT_GET)
    if incoming is Kind.TRANSACT_GET:
        return ongoing in (Kind.TRANSACT_WRITE, Kind.BATCH_WRITE, Kind.SINGLE_WRITE)
    return False
