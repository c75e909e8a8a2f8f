"""Command line: `python -m local_api {serve,dynamodb,tables}` (with tools/ on PYTHONPATH)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from local_api.errors import LocalApiError
from local_api.net import LOCALHOST
from local_api.paths import DEFAULT_TEMPLATE
from local_api.runtime import DEFAULT_MAX_WORKERS

EXIT_SIGTERM = 128 + signal.SIGTERM
EXIT_SIGINT = 128 + signal.SIGINT


def _int_env(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "")
    return int(value) if value.strip() else default


def parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m local_api", description=__doc__)
    root.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the template's API on warm local workers")
    serve.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    serve.add_argument("--host", default=LOCALHOST)
    serve.add_argument("--port", type=int, default=_int_env(env, "PORT", 3000))
    serve.add_argument(
        "--dynamodb-endpoint",
        default=env.get("DYNAMODB_ENDPOINT") or None,
        help="use this DynamoDB (default: $DYNAMODB_ENDPOINT, else start DynamoDB Local)",
    )
    serve.add_argument("--dynamodb-port", type=int, default=_int_env(env, "DYNAMODB_PORT", 8000))
    serve.add_argument(
        "--max-workers",
        type=int,
        default=_int_env(env, "LOCAL_MAX_WORKERS", DEFAULT_MAX_WORKERS),
        help="warm worker processes per function (default: $LOCAL_MAX_WORKERS or 10)",
    )
    serve.add_argument("--no-reload", action="store_true", help="keep workers when the code changes")

    dynamodb = commands.add_parser(
        "dynamodb", help="run DynamoDB Local with the template's tables (for `sam local`)"
    )
    dynamodb.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    dynamodb.add_argument("--port", type=int, default=_int_env(env, "DYNAMODB_PORT", 8000))

    tables = commands.add_parser("tables", help="create the template's tables on an endpoint")
    tables.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    tables.add_argument("--endpoint", required=True)
    return root


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Unwinds through the `with` blocks, so whatever was started gets stopped.
    sys.exit(EXIT_SIGTERM)


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
        )
    )


def _run_dynamodb(args: argparse.Namespace) -> None:
    from local_api.dynamodb_local import start_dynamodb_local
    from local_api.signals import stop_signals, wait_for
    from local_api.tables import create_tables

    with start_dynamodb_local(args.port, log=2) as ddb, stop_signals() as stop:
        create_tables(ddb.endpoint, args.template)
        print(f"DynamoDB Local: {ddb.endpoint} (in memory; Ctrl-C to stop)", flush=True)
        wait_for(stop)


def _run_tables(args: argparse.Namespace) -> None:
    from local_api.tables import create_tables

    created = create_tables(args.endpoint, args.template)
    print(f"Created: {', '.join(created) or 'nothing (all tables existed)'}")


def main(argv: list[str] | None = None) -> int:
    args = parser(os.environ).parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(message)s")
    logging.getLogger("local_api").setLevel(logging.DEBUG if args.verbose else logging.INFO)
    os.environ.setdefault("SAM_CLI_TELEMETRY", "0")
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    commands = {"serve": _run_serve, "dynamodb": _run_dynamodb, "tables": _run_tables}
    try:
        commands[args.command](args)
    except KeyboardInterrupt:
        return EXIT_SIGINT
    except LocalApiError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
