"""The model proxy in front of the session's DynamoDB Local, with a client that does not retry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from dynamodb_model import Latencies, ModelProxy, start_model

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Short enough to keep the tests quick, long enough to measure against.
TEST_LATENCIES = Latencies(read=0.05, single_write=0.05, batch_write=0.05, transact_write=0.1, rejected=0.02)


@pytest.fixture
def model(ddb_endpoint: str) -> Iterator[ModelProxy]:
    with start_model(ddb_endpoint, TEST_LATENCIES) as proxy:
        yield proxy


@pytest.fixture
def client(model: ModelProxy) -> DynamoDBClient:
    from local_api.clients import dynamodb_client

    return dynamodb_client(model.endpoint, attempts=1)  # botocore would retry conflicts
