"""Moto's AWS with the tables of template.yaml, in the functions' environment.

The template is the single source of truth for tables, keys and indexes: the CreateTable requests
are the local stack's own (local_api.tables), so moto and DynamoDB Local hold the same tables.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table

from local_api import DEFAULT_TEMPLATE
from local_api.tables import table_requests
from tests.support.environment import REGION, clear_caches, use_function_environment
from tests.support.moto_transactions import snapshot_each_table_once


@cache
def table_definitions() -> dict[str, dict[str, Any]]:
    """CreateTable requests for every AWS::DynamoDB::Table, named after its logical id (read once)."""
    return table_requests(DEFAULT_TEMPLATE)


@contextmanager
def mocked_aws() -> Iterator[Any]:
    """The functions' environment and moto, for a group of tests (a package).

    Starting moto resets boto3's default session, which costs a client ~50 ms to rebuild, so
    the mock lives as long as the group and each test gets fresh tables instead (fresh_tables).
    Yields a raw DynamoDB client inside the mock.
    """
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_function_environment(monkeypatch)
        snapshot_each_table_once(monkeypatch)
        with mock_aws():
            clear_caches()
            try:
                yield boto3.client("dynamodb", region_name=REGION)
            finally:
                clear_caches()


def moto_session() -> Iterator[Any]:
    """mocked_aws for a fixture that holds it for a group of tests (a package, a module):
    `pytest.fixture(scope="package", name="moto_dynamodb")(moto_session)`."""
    with mocked_aws() as client:
        yield client


def fresh_tables(client: Any) -> None:
    """The template's tables anew, empty: copies of empty tables created once (through the API,
    as any table) and kept; creating four tables through the API took 11 ms in every test."""
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
    backend.tables = copy.deepcopy(_empty_tables(client))
    clear_caches()


@cache
def _empty_tables(client: Any) -> dict[str, Table]:
    for name in client.list_tables()["TableNames"]:
        client.delete_table(TableName=name)
    for request in table_definitions().values():
        client.create_table(**request)
    return copy.deepcopy(dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables)


@contextmanager
def function_setup(client: Any, monkeypatch: pytest.MonkeyPatch, **more: str) -> Iterator[Any]:
    """One test's world: the functions' environment (and `more`) and the template's tables, fresh
    and empty; event_core's caches forgotten after. Yields the raw client."""
    use_function_environment(monkeypatch, **more)
    fresh_tables(client)
    yield client
    clear_caches()
