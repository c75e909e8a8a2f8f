"""Secrets Manager: reading a secret's current value (the page token key, event_core.page_token_key).

The client is created at the first read, not at import: only the functions that page read a
secret, and only a listing request pays for creating the client and the round trip. Like the
DynamoDB client it comes from botocore directly (no boto3 import).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, cast

from event_core.observability import trace_aws_calls
from event_core.store.client import client_config

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


@cache
def secretsmanager() -> SecretsManagerClient:
    from botocore.session import Session

    trace_aws_calls()
    return cast("SecretsManagerClient", Session().create_client("secretsmanager", config=client_config()))


def secret_value(secret_id: str) -> str:
    """The current (AWSCURRENT) string value of the secret."""
    return secretsmanager().get_secret_value(SecretId=secret_id)["SecretString"]
