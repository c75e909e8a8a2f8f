"""`invoke`: one function, one event, no Docker: `sam local invoke` in the `make dev` environment.

The function runs in a fresh worker with the environment the local server gives it, against the
DynamoDB Local that runs at DYNAMODB_PORT (`make dev`, `make dynamodb`), or one started for this
call. The template's tables are created and the samples' data restored first, so every sample in
`events/` answers as it does on a freshly seeded database. Its EventBridge and Scheduler calls
go to a moto server started for the call, holding the template's buses and schedules.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from dynamodb_model.switch import modeled
from local_api.dynamodb_local import answers, start_dynamodb_local, storage_note
from local_api.errors import LocalApiError
from local_api.functions import function_provider, function_specs, load_stacks
from local_api.moto_server import with_aws_endpoints
from local_api.output_filter import filtered_stderr
from local_api.process import Reply, WorkerProcess
from local_api.seed import seed
from local_api.tables import create_tables
from local_api.template_aws import template_aws

LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InvokeConfig:
    function: str
    event: Path
    template: Path
    dynamodb_endpoint: str
    dynamodb_port: int
    db_path: Path | None = None
    metrics: bool = False  # show the function's CloudWatch metrics documents (EMF lines)


def read_event(path: Path) -> object:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise LocalApiError(f"No event file {path}") from None
    except json.JSONDecodeError as error:
        raise LocalApiError(f"{path} is not JSON: {error}") from None


def invoke(config: InvokeConfig) -> Reply:
    event = read_event(config.event)
    template = config.template.resolve()
    with ExitStack() as resources:
        resources.enter_context(filtered_stderr(metrics=config.metrics))
        endpoint = config.dynamodb_endpoint
        if not answers(endpoint):
            ddb = resources.enter_context(
                start_dynamodb_local(config.dynamodb_port, log=subprocess.DEVNULL, db_path=config.db_path)
            )
            endpoint = ddb.endpoint
            LOG.info("DynamoDB Local at %s, for this call (%s)", endpoint, storage_note(config.db_path))
        create_tables(endpoint, template)
        LOG.info("Sample data restored: %s", seed(endpoint).summary())
        functions_endpoint = resources.enter_context(modeled(endpoint, os.environ))
        stacks = load_stacks(template)
        moto, _wired = resources.enter_context(template_aws(stacks[0].resources if stacks else {}))
        functions = list(function_provider(stacks).get_all())
        specs = with_aws_endpoints(
            function_specs(functions, template.parent, functions_endpoint), moto.endpoint
        )
        spec = specs.get(config.function)
        if spec is None:
            raise LocalApiError(
                f"No function {config.function} in {template.name}: one of {', '.join(sorted(specs))}"
            )
        worker = WorkerProcess(spec)
        try:
            return worker.invoke(event, str(uuid.uuid4()))
        finally:
            worker.stop()
