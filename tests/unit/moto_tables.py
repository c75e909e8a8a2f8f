"""Moto's DynamoDB with the tables of template.yaml, and the environment the functions see.

The template is the single source of truth for tables, keys and indexes: each
AWS::DynamoDB::Table is created under its logical id with the template's own definitions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from samcli.yamlhelper import yaml_parse

from event_core.page_token_key import stored_key
from event_core.settings import get_settings
from event_core.store.client import dynamodb
from event_core.store.schedules import scheduler
from event_core.store.secrets import secretsmanager
from tests.support.page_tokens import TEST_PAGE_TOKEN_KEY

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
REGION = "us-east-1"
_COPIED = (
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "BillingMode",
)
ENVIRONMENT = {
    "EVENTS_TABLE": "EventsTable",
    "USERS_TABLE": "UsersTable",
    "REGISTRATIONS_TABLE": "RegistrationsTable",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "test",
    "POWERTOOLS_SERVICE_NAME": "test",
    "PAGE_TOKEN_SECRET": TEST_PAGE_TOKEN_KEY,
}
# Unset so that the code under test sees defaults, whatever the outer shell exported.
UNSET = (
    "DYNAMODB_ENDPOINT",
    "ALLOWED_ORIGINS",
    "PAGE_TOKEN_SECRET_ARN",
    "MAX_BODY_BYTES",
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
)


@cache
def table_definitions(template: Path = TEMPLATE) -> dict[str, dict[str, Any]]:
    """CreateTable arguments for every AWS::DynamoDB::Table, named after its logical id."""
    resources = yaml_parse(template.read_text())["Resources"]
    definitions: dict[str, dict[str, Any]] = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        properties = resource["Properties"]
        request: dict[str, Any] = {"TableName": logical_id}
        request.update({name: _plain(properties[name]) for name in _COPIED if name in properties})
        definitions[logical_id] = request
    return definitions


def _plain(value: Any) -> Any:
    """The parser's OrderedDicts as plain dicts and lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def clear_caches() -> None:
    """Forget the cached settings, clients and key, so the next call sees the current env and mock."""
    dynamodb.cache_clear()
    scheduler.cache_clear()
    secretsmanager.cache_clear()
    stored_key.cache_clear()
    get_settings.cache_clear()


def set_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)


@contextmanager
def mocked_aws() -> Iterator[Any]:
    """The functions' environment and moto, for a group of tests (a package).

    Starting moto resets boto3's default session, which costs a client ~50 ms to rebuild, so
    the mock lives as long as the group and each test gets fresh tables instead (fresh_tables).
    Yields a raw DynamoDB client inside the mock.
    """
    with pytest.MonkeyPatch.context() as monkeypatch:
        set_environment(monkeypatch)
        with mock_aws():
            clear_caches()
            try:
                yield boto3.client("dynamodb", region_name=REGION)
            finally:
                clear_caches()


def fresh_tables(client: Any) -> None:
    """Drop every table and create the template's tables anew, empty."""
    for name in client.list_tables()["TableNames"]:
        client.delete_table(TableName=name)
    for request in table_definitions().values():
        client.create_table(**request)
    clear_caches()
