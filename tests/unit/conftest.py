"""Unit tests of the domain rules: moto's DynamoDB, with fresh template tables for every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.moto_aws import function_setup, moto_session

moto_dynamodb = pytest.fixture(scope="package", name="moto_dynamodb")(moto_session)


@pytest.fixture(autouse=True)
def ddb(moto_dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A raw DynamoDB client inside the mock, for reading the tables behind the domain's back."""
    with function_setup(moto_dynamodb, monkeypatch) as client:
        yield client
