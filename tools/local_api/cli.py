"""Command line: `python -m local_api {serve,dynamodb,tables,seed,reset,invoke}` (with tools/ and
layers/event_core on PYTHONPATH, as the Makefile runs it)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import FrameType

from local_api.errors import LocalApiError
from local_api.net import LOCALHOST
from local_api.paths import DEFAULT_TEMPLATE, PERSIST_DIR
from local_api.runtime import DEFAULT_MAX_WORKERS

EXIT_SIGTERM = 128 + signal.SIGTERM
EXIT_SIGINT = 128 + signal.SIGINT
FALSE_WORDS = frozenset({"", "0", "false", "no", "off"})


def _int_env(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "")
    return int(value) if value.strip() else default


def _flag_env(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() not in FALSE_WORDS


def _dynamodb_options(command: argparse.ArgumentParser, env: Mapping[str, str], *, persist: bool) -> None:
    command.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    command.add_argument("--dynamodb-port", type=int, default=_int_env(env, "DYNAMODB_PORT", 8000))
    if persist:
        command.add_argument(
            "--persist",
            action="store_true",
            default=_flag_env(env, "PERSIST"),
            help=f"keep DynamoDB Local's data in {PERSIST_DIR} (default: $PERSIST; else in memory)",
        )


def _endpoint_option(command: argparse.ArgumentParser, env: Mapping[str, str]) -> None:
    command.add_argument(
        "--dynamodb-endpoint",
        default=env.get("DYNAMODB_ENDPOINT") or None,
        help="the DynamoDB to use (default: $DYNAMODB_ENDPOINT, else DynamoDB Local on --dynamodb-port)",
    )


def parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m local_api", description=__doc__)
    root.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the template's API on warm local workers")
    _dynamodb_options(serve, env, persist=True)
    _endpoint_option(serve, env)
    serve.add_argument("--host", default=LOCALHOST)
    serve.add_argument("--port", type=int, default=_int_env(env, "PORT", 3000))
    serve.add_argument(
        "--max-workers",
        type=int,
        default=_int_env(env, "LOCAL_MAX_WORKERS", DEFAULT_MAX_WORKERS),
        help="warm worker processes per function (default: $LOCAL_MAX_WORKERS or 10)",
    )
    serve.add_argument(
        "--moto-port",
        type=int,
        default=_int_env(env, "MOTO_PORT", 0),
        help="the moto server's port (EventBridge, Scheduler; default: $MOTO_PORT, else a free port)",
    )
    serve.add_argument("--no-reload", action="store_true", help="keep workers when the code changes")
    serve.add_argument(
        "--no-prewarm", action="store_true", help="start each function's first worker at its first call"
    )

    dynamodb = commands.add_parser(
        "dynamodb", help="run DynamoDB Local with the template's tables (for `sam local`)"
    )
    _dynamodb_options(dynamodb, env, persist=True)

    tables = commands.add_parser("tables", help="create the template's tables on an endpoint")
    tables.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    tables.add_argument("--endpoint", required=True)

    seed = commands.add_parser("seed", help="restore the events/ samples' data (and --demo: a demo set)")
    _dynamodb_options(seed, env, persist=False)
    _endpoint_option(seed, env)
    seed.add_argument("--demo", action="store_true", default=_flag_env(env, "DEMO"), help="add the demo set")

    reset = commands.add_parser("reset", help="empty the template's tables (creating missing ones)")
    _dynamodb_options(reset, env, persist=False)
    _endpoint_option(reset, env)

    invoke = commands.add_parser("invoke", help="invoke one function with one event, as `sam local invoke`")
    invoke.add_argument("function", help="the function's logical id, e.g. GetEventFunction")
    invoke.add_argument("event", type=Path, help="the event file, e.g. events/get_event.json")
    _dynamodb_options(invoke, env, persist=True)
    _endpoint_option(invoke, env)
    return root


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Unwinds through the `with` blocks, so whatever was started gets stopped.
    sys.exit(EXIT_SIGTERM)


def _db_path(args: argparse.Namespace) -> Path | None:
    return PERSIST_DIR if args.persist else None


def _endpoint(args: argparse.Namespace) -> str:
    return str(args.dynamodb_endpoint or f"http://{LOCALHOST}:{args.dynamodb_port}")


def _running_endpoint(args: argparse.Namespace) -> str:
    from local_api.dynamodb_local import answers

    endpoint = _endpoint(args)
    if not answers(endpoint):
        raise LocalApiError(
            f"No DynamoDB answers at {endpoint}: start `make dev` or `make dynamodb` first "
            "(or set DYNAMODB_PORT / DYNAMODB_ENDPOINT to where yours runs)."
        )
    return endpoint


def _run_serve(args: argparse.Namespace) -> None:
    from local_api.serve import ServeConfig, serve

    serve(
        ServeConfig(
            template=args.template,
            host=args.host,
            port=args.port,
            dynamodb_endpoint=args.dynamodb_endpoint,
            dynamodb_port=args.dynamodb_port,
            max_workers=args.max_workers,
            reload=not args.no_reload,
            prewarm=not args.no_prewarm,
            moto_port=args.moto_port,
            db_path=_db_path(args),
            metrics=_flag_env(os.environ, "LOCAL_METRICS"),
        )
    )


def _run_dynamodb(args: argparse.Namespace) -> None:
    from local_api.dynamodb_local import start_dynamodb_local, storage_note
    from local_api.sam_env import write_sam_env
    from local_api.signals import stop_signals, wait_for
    from local_api.tables import create_tables

    db_path = _db_path(args)
    with start_dynamodb_local(args.dynamodb_port, log=2, db_path=db_path) as ddb, stop_signals() as stop:
        create_tables(ddb.endpoint, args.template)
        env_file = write_sam_env(ddb.port)
        print(f"DynamoDB Local: {ddb.endpoint} ({storage_note(db_path)})", flush=True)
        print(f"sam local --env-vars file for this port: {env_file} (Ctrl-C to stop)", flush=True)
        wait_for(stop)


def _run_tables(args: argparse.Namespace) -> None:
    from local_api.tables import create_tables

    created = create_tables(args.endpoint, args.template)
    print(f"Created: {', '.join(created) or 'nothing (all tables existed)'}")


def _run_seed(args: argparse.Namespace) -> None:
    from local_api.seed import seed
    from local_api.tables import create_tables

    endpoint = _running_endpoint(args)
    create_tables(endpoint, args.template)
    print(f"Seeded {endpoint}: {seed(endpoint, demo=args.demo).summary()} added")


def _run_reset(args: argparse.Namespace) -> None:
    from local_api.clients import dynamodb_client
    from local_api.seed import empty_tables
    from local_api.tables import create_tables, table_requests

    endpoint = _running_endpoint(args)
    created = create_tables(endpoint, args.template)
    names = sorted(table_requests(args.template))
    deleted = empty_tables(dynamodb_client(endpoint), [name for name in names if name not in created])
    print(f"Reset {endpoint}: {', '.join(names)} empty ({deleted} items deleted)")


def _run_invoke(args: argparse.Namespace) -> int:
    from local_api.invoke import InvokeConfig, invoke

    reply = invoke(
        InvokeConfig(
            function=args.function,
            event=args.event,
            template=args.template,
            dynamodb_endpoint=_endpoint(args),
            dynamodb_port=args.dynamodb_port,
            db_path=_db_path(args),
            metrics=_flag_env(os.environ, "LOCAL_METRICS"),
        )
    )
    print(reply.body, flush=True)
    return 1 if reply.is_error else 0


def main(argv: list[str] | None = None) -> int:
    args = parser(os.environ).parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(message)s")
    logging.getLogger("local_api").setLevel(logging.DEBUG if args.verbose else logging.INFO)
    os.environ.setdefault("SAM_CLI_TELEMETRY", "0")
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    commands: dict[str, Callable[[argparse.Namespace], int | None]] = {
        "serve": _run_serve,
        "dynamodb": _run_dynamodb,
        "tables": _run_tables,
        "seed": _run_seed,
        "reset": _run_reset,
        "invoke": _run_invoke,
    }
    try:
        return commands[args.command](args) or 0
    except KeyboardInterrupt:
        return EXIT_SIGINT
    except LocalApiError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
