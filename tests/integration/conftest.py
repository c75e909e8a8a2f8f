"""The two API drivers of the integration tests.

The fixtures they build on (DynamoDB Local with the template's tables, the local API server,
`local_env` for in-process calls) come from tests/conftest.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from .drivers import Api, HttpApi, InProcessApi


@pytest.fixture
def in_process_api(local_env: Any) -> InProcessApi:
    return InProcessApi()


@pytest.fixture(scope="session")
def http_api(api_url: str) -> HttpApi:
    return HttpApi(api_url)


@pytest.fixture(params=["in-process", pytest.param("http", marks=pytest.mark.http)])
def api(request: pytest.FixtureRequest) -> Api:
    """The same scenario, once against event_core directly and once through the local server."""
    return request.getfixturevalue("http_api" if request.param == "http" else "in_process_api")
