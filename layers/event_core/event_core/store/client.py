"""The one DynamoDB client of the process, created on first use and reused while warm."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from event_core.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@cache
def dynamodb() -> DynamoDBClient:
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=2,
        read_timeout=5,
        tcp_keepalive=True,
    )
    endpoint = get_settings().dynamodb_endpoint
    return boto3.client("dynamodb", endpoint_url=endpoint, config=config)
