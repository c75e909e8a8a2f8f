"""boto3 clients for a local DynamoDB endpoint, with the dummy credentials local runs use."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

REGION = "us-east-1"
DUMMY_KEY = "local"


def dynamodb_client(endpoint: str, *, attempts: int = 3, timeout: float = 5.0) -> DynamoDBClient:
    config = Config(
        retries={"mode": "standard", "max_attempts": attempts},
        connect_timeout=timeout,
        read_timeout=timeout,
    )
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=DUMMY_KEY,
        aws_secret_access_key=DUMMY_KEY,
        config=config,
    )
