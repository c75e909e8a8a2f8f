"""boto3 clients for a local DynamoDB endpoint, with the dummy credentials local runs use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

REGION = "us-east-1"
DUMMY_KEY = "local"


def dynamodb_client(endpoint: str, *, attempts: int = 3, timeout: float = 5.0) -> DynamoDBClient:
    return boto3.client("dynamodb", **_local(endpoint, attempts, timeout))


def dynamodb_streams_client(endpoint: str) -> Any:
    """The same endpoint's DynamoDB Streams API (DynamoDB Local serves both)."""
    return boto3.client("dynamodbstreams", **_local(endpoint, 3, 5.0))


def _local(endpoint: str, attempts: int, timeout: float) -> dict[str, Any]:
    return {
        "endpoint_url": endpoint,
        "region_name": REGION,
        "aws_access_key_id": DUMMY_KEY,
        "aws_secret_access_key": DUMMY_KEY,
        "config": Config(
            retries={"mode": "standard", "max_attempts": attempts},
            connect_timeout=timeout,
            read_timeout=timeout,
        ),
    }
