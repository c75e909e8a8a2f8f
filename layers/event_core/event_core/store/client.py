"""The one DynamoDB client of the process, created once and reused while warm.

On Lambda the client is created while this module is imported, in the init phase, so the first
request does not wait for it. Creating a client reads configuration and credentials from the
environment (where Lambda puts them) and the service model from disk: no network. If it fails
(no region, say), the import still succeeds and the first request reports the error.

The client comes from botocore directly: boto3.client() returns the same botocore client, but
`import boto3` also imports s3transfer, and with it multiprocessing and concurrent.futures,
which a DynamoDB-only function never uses (~15 ms of every cold start).
"""

from __future__ import annotations

import contextlib
import os
from functools import cache
from typing import TYPE_CHECKING, cast

from botocore.exceptions import BotoCoreError

from event_core.observability import trace_aws_calls
from event_core.settings import get_settings

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_dynamodb import DynamoDBClient


@cache
def client_config() -> Config:
    """Every AWS client's settings: few retries (the use cases retry lost races themselves) and
    short timeouts, well inside a function's 29 s."""
    from botocore.config import Config

    return Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=2,
        read_timeout=5,
        tcp_keepalive=True,
    )


@cache
def dynamodb() -> DynamoDBClient:
    from botocore.session import Session

    trace_aws_calls()
    endpoint = get_settings().dynamodb_endpoint
    return cast(
        "DynamoDBClient", Session().create_client("dynamodb", endpoint_url=endpoint, config=client_config())
    )


def _in_lambda() -> bool:
    # Lambda (and sam local) set both. With the credentials in the environment, creating the
    # client never goes looking for them elsewhere (instance metadata, over the network).
    return "AWS_LAMBDA_FUNCTION_NAME" in os.environ and "AWS_ACCESS_KEY_ID" in os.environ


if _in_lambda():
    with contextlib.suppress(BotoCoreError, ValueError):  # the first request will report it
        dynamodb()
