"""`python -m bench`: start DynamoDB Local, measure the five sections side by side, print tables.

Everything runs in one process against one DynamoDB Local (in memory, started here and stopped
at the end), except the cold starts (fresh interpreters) and the burst (the local API server).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from bench.paths import TEMPLATE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from bench.seed import Snapshot

SECTIONS = ("cold", "warm", "waitlist", "scale", "burst")

# This process calls the handlers directly: it gets the template's variables and DynamoDB Local.
# X-Ray is off here (no daemon); the cold starts run with tracing on, as deployed.
PROCESS_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "ALLOWED_ORIGINS": "*",
    "PAGE_TOKEN_SECRET": "change-me-in-production",
    "POWERTOOLS_SERVICE_NAME": "event-management-api",
    "POWERTOOLS_METRICS_NAMESPACE": "EventManagement",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_TRACE_DISABLED": "true",
}
UNSET = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "MAX_BODY_BYTES",
)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--rounds", type=int, default=7, help="measured cold start rounds (default 7)")
    parser.add_argument("--calls", type=int, default=200, help="timed calls per warm route (default 200)")
    parser.add_argument(
        "--scale-calls", type=int, default=100, help="timed calls per scale page (default 100)"
    )
    parser.add_argument("--burst", type=int, default=200, help="concurrent registrations (default 200)")
    parser.add_argument(
        "--workers", type=int, default=10, help="local server workers per function (default 10)"
    )
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS), help="sections to run")
    return parser.parse_args(argv)


def header() -> None:
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("boto3", "botocore", "aws-lambda-powertools", "pydantic")
    )
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print("# Event Management API benchmark\n")
    print(
        f"- {time.strftime('%Y-%m-%d %H:%M %Z')}; Python {platform.python_version()} on {platform.machine()}"
    )
    print(f"- {os.cpu_count()} CPUs, load average at start {load}; {versions}")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    os.environ.update(PROCESS_ENVIRONMENT)
    for name in UNSET:
        os.environ.pop(name, None)

    from bench import report, seed
    from local_api import create_tables, free_port, start_dynamodb_local
    from local_api.clients import dynamodb_client

    started = time.perf_counter()
    header()
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        log = stack.enter_context((tmp / "dynamodb-local.log").open("wb"))
        report.progress("starting DynamoDB Local")
        ddb = stack.enter_context(start_dynamodb_local(free_port(), log=log))
        create_tables(ddb.endpoint, TEMPLATE)
        client = dynamodb_client(ddb.endpoint)
        seed.use_tables(ddb.endpoint)
        seed.seed_samples()
        snapshot = seed.Snapshot.take(client)

        steps: dict[str, Callable[[], None]] = {
            "cold": lambda: cold(ddb.endpoint, client, snapshot, args.rounds),
            "warm": lambda: warm(client, snapshot, args.calls),
            "waitlist": lambda: waitlist(client),
            "scale": lambda: scale(client, args.scale_calls),
            "burst": lambda: burst(ddb.endpoint, client, args.burst, args.workers),
        }
        for name in SECTIONS:
            if name in args.only:
                steps[name]()
    print(f"\nTotal benchmark time: {time.perf_counter() - started:.0f} s")
    return 0


def cold(endpoint: str, client: DynamoDBClient, snapshot: Snapshot, rounds: int) -> None:
    from bench import coldstart, report
    from bench.lambda_env import XRaySink, template_functions

    with XRaySink() as sink:
        functions = template_functions(endpoint, sink.address)
        call = {"TableName": "EventsTable", "Key": {"eventId": {"S": "evt-sample-1"}}}
        targets = coldstart.targets(functions, call)

        def restore(target: coldstart.Target) -> None:
            if target.name in functions:
                snapshot.restore(client)

        coldstart.measure(targets, rounds=rounds, before_each=restore, progress=report.progress)
        segments = sink.received
    measured = {t.name for t in targets}
    skipped = sorted(name for name in functions if name not in measured)
    for target in targets:
        for profile in target.profiles:
            if not all(200 <= status < 300 for status in target.statuses(profile)):
                raise RuntimeError(f"{target.name} answered {target.statuses(profile)} on a cold start")
    report.section(
        f"1. Cold start per function (median of {rounds} runs, Lambda's packages only)",
        report.table(coldstart.COLUMNS, coldstart.summary(targets)),
        [
            "floor: fresh interpreter, `import boto3; boto3.client('dynamodb')` (the issue's floor); "
            "floor + call: the same plus one GetItem; floor + call + resolver: plus Powertools "
            "`APIGatewayRestResolver(enable_validation=True)`, the least any function built on it imports.",
            "Ratios use CPU time (user + system of the process), which other load on the machine "
            "barely moves (wall time is shown too), and are medians over rounds of target / floor "
            "in the same round. x floor+call compares functions whose sample calls DynamoDB with the "
            "floor that makes the same call; <= 1.3x says yes if the issue's floor is met, "
            "'vs floor+call' if only that one is.",
            "init: start of the interpreter to the end of `import app` (Lambda's init phase, DynamoDB "
            "client included); 1st request: serving the events/ sample once.",
            f"Tracing on, as deployed (`Tracing: Active`): {segments} X-Ray documents were sent to the "
            "stand-in daemon.",
            *([f"Not measured (no events/ sample to serve): {', '.join(skipped)}."] if skipped else []),
        ],
    )
    report.section(
        "1b. The dev venv as installed vs Lambda's packages (CPU s, same runs interleaved)",
        report.table(coldstart.VENV_COLUMNS, coldstart.venv_summary(targets)),
        [
            "The venv adds awscrt and pyOpenSSL (botocore imports both when present) and more package "
            "metadata for pydantic's plugin scan: it slows the floor and every function that imports "
            "botocore alike, so its ratios look better than Lambda's."
        ],
    )
    import_attribution(rounds)


def import_attribution(rounds: int) -> None:
    from bench import importtime, report

    name = "register"
    report.progress(f"cold starts: python -X importtime of {name} and the floor")
    by_package = importtime.attribution([name], runs=rounds)[name]
    report.section(
        f"1c. Where {name}'s import time goes beyond the floor (python -X importtime, median self ms)",
        report.table(["package (modules the floor does not import)", "ms"], importtime.rows(by_package)),
        [
            "Self time of every module imported by `import app` and not by the floor, summed by "
            "package; the DynamoDB client created at init is left out (the floor creates one too). "
            "`python -m bench.importtime <function>...` prints this for any function.",
        ],
    )


def warm(client: DynamoDBClient, snapshot: Snapshot, calls: int) -> None:
    from bench import report
    from bench import warm as section

    snapshot.restore(client)
    results = []
    for route in section.routes():
        report.progress(f"warm: {route.label}")
        results.append(section.measure(route, client, calls=calls))
    report.section(
        f"2. Warm latency per route through the handler (ms, {calls} calls each)",
        report.table(
            ["route", "DynamoDB Local p50", "p99", "DynamoDB stubbed p50", "p99"],
            section.summary(results),
        ),
        [
            "DynamoDB Local: the handler in this process against DynamoDB Local on localhost "
            "(no network latency; on AWS add ~5-10 ms per round trip).",
            "DynamoDB stubbed: the same requests answered by replaying recorded DynamoDB responses "
            "at the HTTP layer, so botocore still serializes, signs and parses: the handler's own cost.",
        ],
    )
    report.section(
        "3. DynamoDB round trips per request (counted with botocore event hooks)",
        report.table(
            ["route", "round trips", "items read", "operations"],
            [
                [
                    r.route.label,
                    f"{r.round_trips.total / r.calls:g}",
                    f"{r.round_trips.items_read / r.calls:g}",
                    r.round_trips.describe(r.calls),
                ]
                for r in results
            ],
        ),
        [
            "Round trips: requests sent (a `before-send` hook on the store's client; retries would "
            "count). Items read: ScannedCount of Query/Scan plus items returned by GetItem/BatchGetItem "
            "(an `after-call` hook), per request, against the sample data.",
        ],
    )


def waitlist(client: DynamoDBClient) -> None:
    from bench import report
    from bench import waitlist as section

    report.progress("waitlist: seeding and measuring lengths " + ", ".join(map(str, section.LENGTHS)))
    cases = section.measure(client)
    lengths = " / ".join(f"{n:,}" for n in section.LENGTHS)
    rows = [
        [
            case.label,
            " / ".join(case.trips(n) for n in section.LENGTHS),
            " / ".join(case.items(n) for n in section.LENGTHS),
            " / ".join(report.ms(case.median_s(n)) for n in section.LENGTHS),
        ]
        for case in cases
    ]
    report.section(
        "3b. As the waitlist grows: W people waiting, 10 confirmed",
        report.table(
            ["request", f"round trips (W = {lengths})", "items read", "p50 ms"],
            rows,
        ),
        [
            "Median of 5 runs each against DynamoDB Local; the items a run changes are put back "
            "before the next, so every run sees the same W.",
        ],
    )


def scale(client: DynamoDBClient, calls: int) -> None:
    from bench import report
    from bench import scale as section

    for size in section.SIZES:
        report.progress(f"scale: writing {size:,} events and {size:,} registrations")
        section.create_tables(client, size)
        section.populate(client, size)
    found = section.scenarios()
    report.progress("scale: measuring")
    section.measure(found, calls=calls)
    small, large = section.SIZES
    report.section(
        f"4. Scale: first page with {small:,} vs {large:,} items stored (ms, {calls} calls each)",
        report.table(
            [
                "request",
                "page size",
                f"round trips ({small:,} / {large:,})",
                "items read",
                f"{small:,} p50",
                "p99",
                f"{large:,} p50",
                "p99",
                "ratio p50",
                f"operations ({large:,})",
            ],
            section.summary(found, calls),
        ),
        [
            "Calls alternate between the two table sets. Items read: what DynamoDB reads per request "
            "(ScannedCount of Query/Scan, items returned by GetItem/BatchGetItem), which its cost and "
            "latency grow with. DynamoDB Local is SQLite underneath and may itself slow down with "
            "table size where DynamoDB would not.",
        ],
    )


def burst(endpoint: str, client: DynamoDBClient, count: int, workers: int) -> None:
    from bench import burst as section
    from bench import report

    report.progress(f"burst: {count} concurrent registrations through the local API")
    outcome = section.run(client, endpoint, requests_count=count, workers=workers)
    report.section(
        "5. Burst: concurrent registrations through the local API server over HTTP",
        report.table(["", "value"], section.summary(outcome)),
        [
            "The local server runs each function in warm worker processes, one request at a time "
            "each, on this machine's CPUs (shared with the client threads and DynamoDB Local); on "
            "Lambda each concurrent request gets its own sandbox.",
        ],
    )
    if not all(outcome.invariants.values()):
        raise SystemExit("burst: invariants violated")
