"""Unit tests of the domain rules: moto's DynamoDB, with fresh template tables for every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.unit.moto_tables import clear_caches, fresh_tables, mocked_aws, set_environment


@pytest.fixture(scope="package")
def moto_dynamodb() -> Iterator[Any]:
    with mocked_aws() as client:
        yield client


@pytest.fixture(autouse=True)
def ddb(moto_dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A raw DynamoDB client inside the mock, for reading the tables behind the domain's back."""
    set_environment(monkeypatch)
    fresh_tables(moto_dynamodb)
    yield moto_dynamodb
    clear_caches()
