"""The two API drivers of the integration tests.

The fixtures they build on (DynamoDB Local with the template's tables, the local API server,
`local_env` for in-process calls) come from tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .drivers import Api, HttpApi, InProcessApi


@pytest.fixture
def in_process_api(local_env: Any) -> InProcessApi:
    return InProcessApi()


@pytest.fixture(scope="session")
def http_api(api_url: str) -> HttpApi:
    return HttpApi(api_url)


@pytest.fixture(scope="session")
def aws_model_endpoint(ddb_endpoint: str) -> Iterator[str]:
    """The DynamoDB conflict model (tools/dynamodb_model) in front of the tests' DynamoDB Local:
    transactions that meet on an item conflict as on AWS, with AWS's latencies."""
    from dynamodb_model import Latencies, start_model

    with start_model(ddb_endpoint, Latencies()) as model:
        yield model.endpoint


@pytest.fixture
def in_process_aws_api(
    local_env: Any, aws_model_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> InProcessApi:
    from event_core.settings import get_settings
    from event_core.store.client import dynamodb

    monkeypatch.setenv("DYNAMODB_ENDPOINT", aws_model_endpoint)
    get_settings.cache_clear()
    dynamodb.cache_clear()
    return InProcessApi()


API_DRIVERS = {"in-process": "in_process_api", "aws-model": "in_process_aws_api", "http": "http_api"}


@pytest.fixture(params=["in-process", "aws-model", pytest.param("http", marks=pytest.mark.http)])
def api(request: pytest.FixtureRequest) -> Api:
    """The same scenario against event_core directly (on DynamoDB Local, and through the AWS
    conflict model in front of it) and through the local server."""
    return request.getfixturevalue(API_DRIVERS[request.param])
