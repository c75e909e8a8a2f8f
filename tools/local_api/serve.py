"""`serve`: DynamoDB Local (unless given an endpoint), the template's tables, the moto server
(EventBridge, Scheduler) with the template's buses and schedules, the workers, the stream
pollers, the schedule dispatcher and the API, all stopped cleanly on Ctrl-C or SIGTERM."""

from __future__ import annotations

import logging
import os
import threading
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from dynamodb_model.switch import model_requested, modeled
from local_api import fork_server
from local_api.dynamodb_local import start_dynamodb_local, storage_note
from local_api.errors import LocalApiError
from local_api.functions import function_provider, function_specs, load_stacks, template_parameters
from local_api.identity import with_local_identity
from local_api.local_arns import LocalFunctions
from local_api.local_events import mount_local_routes, stream_pollers
from local_api.moto_server import with_aws_endpoints
from local_api.net import LOCALHOST, port_is_free
from local_api.output_filter import filtered_stderr
from local_api.published_events import PublishedEvents
from local_api.request_log import RecordRequestIds, quiet_authorizer_warnings
from local_api.runtime import LocalLambdaRuntime
from local_api.schedule_dispatcher import ScheduleDispatcher, dispatch_schedules
from local_api.server import create_service, http_server, load_api, route_lines
from local_api.signals import stop_signals, wait_for
from local_api.tables import create_tables
from local_api.template_aws import template_aws, template_buses

LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ServeConfig:
    template: Path
    host: str
    port: int
    dynamodb_endpoint: str | None
    dynamodb_port: int
    max_workers: int
    reload: bool = True
    db_path: Path | None = None  # DynamoDB Local keeps its data there (else in memory)
    metrics: bool = False  # show the functions' CloudWatch metrics documents (EMF lines)
    prewarm: bool = True  # start a worker per function in the background once serving
    moto_port: int = 0  # the moto server (EventBridge, Scheduler); 0: a free port


def serve(config: ServeConfig) -> None:
    """Blocks until interrupted; everything started here is stopped on the way out."""
    template = config.template.resolve()
    for port, host, variable in (
        (config.port, config.host, "PORT"),
        (config.moto_port, LOCALHOST, "MOTO_PORT"),
    ):
        if port and not port_is_free(port, host):
            raise LocalApiError(f"Port {port} is in use: stop what listens there or set {variable}.")
    try:
        with_model = model_requested(os.environ)
    except ValueError as error:
        raise LocalApiError(str(error)) from None
    fork_server.start_now()  # before stderr is the filter's pipe
    with ExitStack() as resources:
        resources.enter_context(filtered_stderr(metrics=config.metrics))
        endpoint = config.dynamodb_endpoint
        if endpoint is None:
            # DynamoDB Local's own output joins ours on stderr.
            ddb = start_dynamodb_local(config.dynamodb_port, log=2, db_path=config.db_path)
            endpoint = resources.enter_context(ddb).endpoint
            LOG.info("DynamoDB Local at %s (%s)", endpoint, storage_note(config.db_path))
        created = create_tables(endpoint, template)
        LOG.info("Tables: created %s", ", ".join(created) or "none (all existed)")
        # DYNAMODB_MODEL=aws: the functions talk to DynamoDB through the conflict model (README,
        # "DynamoDB as on AWS"); the stream pollers read DynamoDB Local directly.
        functions_endpoint = resources.enter_context(modeled(endpoint, os.environ))
        if with_model:
            LOG.info(
                "DynamoDB model: %s in front of %s (conflicts and latencies as on AWS)",
                functions_endpoint,
                endpoint,
            )

        parameters = template_parameters(os.environ)
        stacks = load_stacks(template, parameters)
        functions = list(function_provider(stacks).get_all())
        # EventBridge and Scheduler: moto's server, with the template's buses, rules and
        # schedules (README, "The local stack").
        template_resources = stacks[0].resources if stacks else {}
        moto, _wired = resources.enter_context(template_aws(template_resources, config.moto_port))
        published = resources.enter_context(
            PublishedEvents(moto, template_buses(template_resources)).collecting()
        )
        specs = with_aws_endpoints(
            function_specs(functions, template.parent, functions_endpoint), moto.endpoint
        )
        runtime = resources.enter_context(
            LocalLambdaRuntime(
                specs, max_workers=config.max_workers, reload_from=template.parent if config.reload else None
            )
        )
        streams = resources.enter_context(stream_pollers(functions, runtime, specs, endpoint))
        dispatcher = ScheduleDispatcher(
            moto.client("scheduler"), runtime.invoke_function, LocalFunctions.of(functions)
        )
        schedules = resources.enter_context(dispatch_schedules(dispatcher))
        with quiet_authorizer_warnings():
            api = load_api(stacks, template.parent, allowed_origins=parameters.get("AllowedOrigins", "*"))
        stop = resources.enter_context(stop_signals())  # before listening: a probe may signal
        runner = RecordRequestIds(with_local_identity(runtime, template, os.environ))  # COGNITO: identity
        origins = parameters.get("AllowedOrigins", "*")
        service = create_service(api, runner, config.host, config.port, allowed_origins=origins)
        mount_local_routes(service._app, published, streams, schedules, moto.endpoint)
        server = http_server(service, allowed_origins=origins)
        resources.callback(server.server_close)

        base_url = f"http://{config.host}:{server.server_port}"
        kept = (
            "" if config.dynamodb_endpoint else (", in memory" if config.db_path is None else ", persistent")
        )
        for line in route_lines(api, base_url):
            LOG.info("%s", line)
        threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
        if config.prewarm:  # each route's first call then finds its import done
            threading.Thread(target=runtime.prewarm, name="prewarm", daemon=True).start()
        try:
            print(
                f"Local API: {base_url}/  (DynamoDB: {functions_endpoint}{kept}; "
                f"EventBridge, Scheduler: {moto.endpoint}; Ctrl-C to stop)",
                flush=True,
            )
            wait_for(stop)
        finally:
            server.shutdown()
        LOG.info("Stopping workers%s", "" if config.dynamodb_endpoint else " and DynamoDB Local")
