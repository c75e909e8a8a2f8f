"""The sample app (a throwaway SAM template with slow, failing and chatty functions), copied to
a temporary directory so tests may edit it, and a local API server for it.

This directory is deliberately not a package: as `tests/local_api` it would shadow the
`local_api` package under tools/ for the test session.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_api import ServerHandle
from tests.support.servers import local_server

SAMPLE_APP = Path(__file__).parent / "sample_app"
SAMPLE_MAX_WORKERS = 4


def copy_sample_app(destination: Path) -> Path:
    shutil.copytree(SAMPLE_APP, destination, ignore=shutil.ignore_patterns("__pycache__"))
    return destination / "template.yaml"


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A private, editable copy of the sample app; returns its template path."""
    return copy_sample_app(tmp_path / "app")


@pytest.fixture(scope="session")
def sample_max_workers() -> int:
    return SAMPLE_MAX_WORKERS


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_sample_app(tmp_path_factory.mktemp("sample") / "app")


@pytest.fixture(scope="session")
def sample_server(
    ddb_endpoint: str, sample_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerHandle]:
    with local_server(
        ddb_endpoint,
        tmp_path_factory,
        "sample-server",
        template=sample_template,
        max_workers=SAMPLE_MAX_WORKERS,
    ) as server:
        yield server
