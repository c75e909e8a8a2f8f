"""boto3 clients for local endpoints (DynamoDB Local, the moto server), with the dummy
credentials local runs use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from local_api.lambda_context import REGION

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

DUMMY_KEY = "local"


def local_client(service: str, endpoint: str, *, attempts: int = 3, timeout: float = 5.0) -> Any:
    config = Config(
        retries={"mode": "standard", "max_attempts": attempts},
        connect_timeout=timeout,
        read_timeout=timeout,
    )
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=DUMMY_KEY,
        aws_secret_access_key=DUMMY_KEY,
        config=config,
    )


def dynamodb_client(endpoint: str, *, attempts: int = 3, timeout: float = 5.0) -> DynamoDBClient:
    client: DynamoDBClient = local_client("dynamodb", endpoint, attempts=attempts, timeout=timeout)
    return client


def dynamodb_streams_client(endpoint: str) -> Any:
    """The same endpoint's DynamoDB Streams API (DynamoDB Local serves both)."""
    return local_client("dynamodbstreams", endpoint)
