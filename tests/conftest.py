"""Session fixtures: DynamoDB Local with the template's tables, and the local API server.

Each pytest(-xdist) worker process starts its own DynamoDB Local and server on free ports, so
workers never share state. Set TEST_DYNAMODB_ENDPOINT to reuse a DynamoDB Local you already
run (`make dynamodb`); tables are created there if missing.

Tests that use `ddb_endpoint` (directly or through another fixture) are marked `integration`,
tests that use `api_url` are marked `http`, so `pytest -m "not integration"` runs the fast ones.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from local_api import DEFAULT_TEMPLATE, free_port
from local_api.background import ServerHandle
from tests.support.botocore_models import share_one_loader
from tests.support.environment import METRICS_NAMESPACE, clear_caches, use_function_environment

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TEMPLATE: Path = DEFAULT_TEMPLATE
# Powertools' Metrics object reads its namespace once, when event_core is first imported (in a
# test module, after this file): the functions' business metrics need one to flush, as in AWS.
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", METRICS_NAMESPACE)
share_one_loader()
SERVER_LOG_LINES_ON_FAILURE = 60
_started_api_server: list[ServerHandle] = []  # for failure reports of tests that reach it indirectly


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "ddb_endpoint" in fixtures:
            item.add_marker(pytest.mark.integration)
        if "api_url" in fixtures or "api_server" in fixtures:
            item.add_marker(pytest.mark.http)
    # The long tests first: with pytest-xdist they start at once on their workers instead of
    # ending the run on one while the other has nothing left to do. (sort is stable: the rest
    # keep their order.)
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """When an HTTP test fails, show the end of the server logs (where handler tracebacks are)."""
    report = yield
    if report.failed and report.when == "call":
        funcargs = getattr(item, "funcargs", {})
        servers = {name: value for name, value in funcargs.items() if isinstance(value, ServerHandle)}
        if not servers and item.get_closest_marker("http") and _started_api_server:
            servers["api_server"] = _started_api_server[0]  # reached through getfixturevalue
        for name, server in servers.items():
            tail = server.log().splitlines()[-SERVER_LOG_LINES_ON_FAILURE:]
            report.sections.append((f"{name} log (tail)", "\n".join(tail)))
    return report


@pytest.fixture(scope="session")
def ddb_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a DynamoDB Local holding the template's tables (named by logical id); with
    DYNAMODB_MODEL=aws, of the conflict model in front of it (`dynamodb_model`)."""
    from dynamodb_model.switch import modeled
    from local_api import create_tables, start_dynamodb_local

    existing = os.environ.get("TEST_DYNAMODB_ENDPOINT")
    if existing:
        create_tables(existing, TEMPLATE)
        with modeled(existing) as endpoint:  # DYNAMODB_MODEL=aws: conflicts as on AWS
            yield endpoint
        return
    log_path = tmp_path_factory.mktemp("dynamodb-local") / "dynamodb-local.log"
    with log_path.open("wb") as log, start_dynamodb_local(free_port(), log=log) as ddb:
        create_tables(ddb.endpoint, TEMPLATE)
        with modeled(ddb.endpoint) as endpoint:
            yield endpoint


@pytest.fixture(scope="session")
def ddb_client(ddb_endpoint: str) -> DynamoDBClient:
    from local_api.clients import dynamodb_client

    return dynamodb_client(ddb_endpoint)


@pytest.fixture(scope="session")
def api_server(ddb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """The local API (`python -m local_api serve`) on the real template, in a subprocess."""
    from tests.support.servers import local_server

    # DYNAMODB_MODEL=local: ddb_endpoint is already the conflict model when it is on.
    with local_server(
        ddb_endpoint, tmp_path_factory, "local-api", environment={"DYNAMODB_MODEL": "local"}
    ) as server:
        _started_api_server.append(server)
        yield server
        _started_api_server.remove(server)


@pytest.fixture(scope="session")
def api_url(api_server: ServerHandle) -> str:
    """Base URL of the local API, e.g. http://127.0.0.1:PORT (no trailing slash)."""
    return api_server.url


@pytest.fixture
def local_env(ddb_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The environment a function gets from the template and `serve`, for in-process tests:
    table names, DYNAMODB_ENDPOINT, region and dummy credentials. event_core's cached settings
    and client are reset before and after, so they pick these values up."""
    yield use_function_environment(monkeypatch, DYNAMODB_ENDPOINT=ddb_endpoint)
    clear_caches()
