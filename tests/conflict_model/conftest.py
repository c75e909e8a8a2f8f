"""The model proxy in front of the session's DynamoDB Local, with a client that does not retry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from dynamodb_model import Latencies, ModelProxy, start_model

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# The model's own items live in a table of their own, not in the API's tables that other tests
# list (an item there that is not an event would be read as a broken one).
TABLE = "ConflictModelTests"

# Short enough to keep the tests quick, long enough to measure against.
TEST_LATENCIES = Latencies(read=0.05, single_write=0.05, batch_write=0.05, transact_write=0.1, rejected=0.02)


@pytest.fixture(scope="session")
def model_table(ddb_client: DynamoDBClient) -> str:
    from botocore.exceptions import ClientError

    try:
        ddb_client.create_table(
            TableName=TABLE,
            AttributeDefinitions=[{"AttributeName": "eventId", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "eventId", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceInUseException":
            raise
    return TABLE


@pytest.fixture
def model(ddb_endpoint: str, model_table: str) -> Iterator[ModelProxy]:
    with start_model(ddb_endpoint, TEST_LATENCIES) as proxy:
        yield proxy


@pytest.fixture
def client(model: ModelProxy) -> DynamoDBClient:
    from local_api.clients import dynamodb_client

    return dynamodb_client(model.endpoint, attempts=1)  # botocore would retry conflicts
