"""Where a concurrency scenario runs, and how its Given is laid.

Backends: `in-process` (event_core in this process on DynamoDB Local: the race logic, cheaply),
`aws-model` (the same through the AWS conflict model, tools/dynamodb_model: transactions that
meet on an item are cancelled as on AWS, which DynamoDB Local never does) and `http` (the local
API server: handlers, workers, the admission stream and the 202/Location round trip end to end).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from .drivers import Api, InProcessApi, on_endpoint

DRIVER_FIXTURES = {"in-process": "in_process_api", "aws-model": "in_process_aws_api", "http": "http_api"}


@dataclass(frozen=True)
class Backend:
    api: Api  # what the scenario's When runs through
    ddb_endpoint: str  # the tables' DynamoDB Local (or, with DYNAMODB_MODEL=aws, the model)

    @contextmanager
    def given(self) -> Iterator[InProcessApi]:
        """A driver for the scenario's starting state: event_core in this process, straight on the
        tables every backend uses, without the model's latencies or HTTP round trips (they prove
        nothing about a Given)."""
        with on_endpoint(self.ddb_endpoint):
            yield InProcessApi()


def runs_on(*names: str) -> pytest.MarkDecorator:
    """Run the scenario on these backends (the `backend` fixture)."""
    unknown = set(names) - set(DRIVER_FIXTURES)
    assert not unknown, f"no such backends: {sorted(unknown)}"
    params = [pytest.param(name, marks=pytest.mark.http) if name == "http" else name for name in names]
    return pytest.mark.parametrize("backend", params, indirect=True)
