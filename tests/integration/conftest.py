"""The API drivers of the integration tests, and the backends the concurrency scenarios run on.

The fixtures they build on (DynamoDB Local with the template's tables, the local API server,
`local_env` for in-process calls) come from tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .backends import DRIVER_FIXTURES, Backend
from .drivers import HttpApi, InProcessApi


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


@pytest.fixture
def backend(request: pytest.FixtureRequest, local_env: Any, ddb_endpoint: str) -> Backend:
    """The backend a scenario is parametrized with (`backends.runs_on`)."""
    return Backend(request.getfixturevalue(DRIVER_FIXTURES[request.param]), ddb_endpoint)
