"""The local API server for a test session or module: a subprocess on a free port, logging to a
file of its own under pytest's temporary directory (the failure report shows its tail)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from local_api import ServerHandle, free_port, serve_in_background


@contextmanager
def local_server(
    ddb_endpoint: str, tmp_path_factory: pytest.TempPathFactory, name: str, **options: Any
) -> Iterator[ServerHandle]:
    """`python -m local_api serve` on `ddb_endpoint` (options as serve_in_background's: template,
    max_workers, environment), logging to <tmp>/<name>*/server.log; stopped on the way out."""
    log_path = tmp_path_factory.mktemp(name) / "server.log"
    with serve_in_background(free_port(), ddb_endpoint, log_path=log_path, **options) as server:
        yield server
