"""`python -m bench`: start DynamoDB Local, measure the sections side by side, print tables.

Everything runs in one process against one DynamoDB Local (in memory, started here and stopped
at the end), except the cold starts (fresh interpreters), the burst (the local API server) and
the opening minute (simulated in virtual time, in worker processes; see bench/opening).
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

SECTIONS = ("cold", "warm", "waitlist", "scale", "burst", "opening")

# This process calls the handlers directly: it gets the template's variables and DynamoDB Local.
# X-Ray is off here (no daemon); the cold starts run with tracing on, as deployed.
PROCESS_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "ALLOWED_ORIGINS": "*",
    "PAGE_TOKEN_SECRET": "bench-only",
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
    from local_api.seed import seed_samples

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
        seed_samples()
        snapshot = seed.Snapshot.take(client)

        steps: dict[str, Callable[[], None]] = {
            "cold": lambda: cold(ddb.endpoint, client, snapshot, args.rounds),
            "warm": lambda: warm(client, snapshot, args.calls),
            "waitlist": lambda: waitlist(client),
            "scale": lambda: scale(client, args.scale_calls),
            "burst": lambda: burst(ddb.endpoint, client, args.burst, args.workers),
            "opening": lambda: opening(ddb.endpoint, client),
        }
        for name in SECTIONS:
            if name in args.only:
                steps[name]()
    print(f"\nTotal benchmark time: {time.perf_counter() - started:.0f} s")
    return 0


# The samples whose right answer is not a 2xx (tests/handlers/test_handler_samples.py says which):
# the seed holds no offer to decline, and the sample's check-in is open only from a day before its
# event (2031-03-10) until a day after, so on the real clock it answers 409 after what a check-in reads.
REFUSED_SAMPLES = {"decline_offer": {409}, "check_in": {409}}


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
            answered = target.statuses(profile)
            if not all(
                200 <= status < 300 or status in REFUSED_SAMPLES.get(target.name, ()) for status in answered
            ):
                raise RuntimeError(f"{target.name} answered {answered} on a cold start")
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
            "DynamoDB stubbed: the same requests answered by replaying one real call's DynamoDB "
            "responses at the HTTP layer, with the values each call generates (ids, a lease's owner "
            "and expiry) in place of the recorded call's, so botocore still serializes, signs and "
            "parses: the handler's own cost.",
            "Every timed call, real or stubbed, made the recorded call's DynamoDB requests in the "
            "same order (section 3), else the run stops: one path per route.",
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
            "A 202 (a request still in the admission queue when its wait ran out) is followed to "
            "its Location as a client would, after each Retry-After: 'place known' counts from the "
            "POST to that answer.",
        ],
    )
    if not all(outcome.invariants.values()):
        raise SystemExit("burst: invariants violated")


def opening(endpoint: str, client: DynamoDBClient) -> None:
    from functools import partial

    from bench import report
    from bench.opening import calibration, scenario, summary
    from bench.opening.admission import LEASE_S, RELEASE_ATTEMPTS, WAIT_S, Admission
    from bench.opening.direct import Direct

    report.progress("opening: simulating 10,000 registrations for 1,000 spots, today's and the new design")
    started = time.perf_counter()
    waits = [w for w in scenario.WAITS_S if w != WAIT_S]
    (a_today, b_today, a_new, b_new, low_today, low_new, *by_wait) = scenario.run_all(
        [(s, d) for d in (Direct, Admission) for s in scenario.OPENING]
        + [(scenario.LOW_LOAD, Direct), (scenario.LOW_LOAD, Admission)]
        + [(s, partial(Admission, wait_s=w)) for w in waits for s in scenario.OPENING]
    )
    wall = time.perf_counter() - started
    rush = [a_today, a_new, b_today, b_new]
    report.section(
        "6. Opening minute: 10,000 people, one event of 1,000 with a waitlist (simulated, modeled time)",
        report.table(
            ["", *(f"{o.label}, {'today' if o.design == Direct.name else 'new'}" for o in rush)],
            summary.scenario_rows(rush),
        ),
        [
            "A discrete-event simulation of both register paths operation by operation, against the "
            "holds, conflicts and latencies of `dynamodb_model` (read 6 ms, single write 8 ms, batch "
            "write 10 ms, transaction 20 ms, cancelled 10 ms; a condition is evaluated when the write "
            "ends) and the retries of `with_retries` (25 attempts, full jitter 0.01-0.4 s, then 503 "
            "and the client's retry after Retry-After, 1 s). Lambda's own run time is not modeled.",
            "Today (`bench/opening/direct.py`): consistent BatchGetItem, then TransactWriteItems "
            "[user, registration, event] under the conditions on the counts it read. Every "
            "transaction holds the one event item for 20 ms: a stale read that reaches the item "
            "first holds it for nothing, every other try meanwhile is cancelled and billed.",
            f"New (`bench/opening/admission.py`): take the event's lease ({LEASE_S:g} s, UpdateItem); "
            "with nobody queued, admit alone (GetItem, BatchGetItem of the rows, one transaction "
            "[event + lease back, row]); otherwise enqueue (PutItem) and await (BatchGetItem polls "
            "20-250 ms, taking a free lease to drain: Query 99, GetItem, BatchGetItem, one transaction "
            f"[event, 99 rows], BatchWriteItem clean-up) for {WAIT_S:g} s, then 202 and a status poll "
            "a second. A request that finds the event `backlogged` (the last batch's Query hit its "
            "Limit) under an unexpired lease is answered 202 right after enqueueing. The queue's "
            "stream wakes the admission function 0-250 ms after an insert, one invocation at a time.",
            f"{scenario.LEAVERS} people picked among the first 1,000 registered unregister at a random "
            "moment within 60 s of their answer: today's path run as the event's writer (`as_writer`: "
            "take the lease, else GetItem and back off 20-250 ms while it is held; without it after "
            "5 s, today's path alone, which then meets the writer's transactions). A lease release "
            f"that meets a transaction pauses and tries again, {RELEASE_ATTEMPTS} attempts in all, "
            "then leaves the lease to run out.",
            f"All runs together took {wall:.0f} s of wall time (two worker processes).",
        ],
    )
    report.section(
        f"6a. Low load: {scenario.LOW_USERS} people, one a second (simulated, modeled time)",
        report.table(["", "today", "new"], summary.scenario_rows([low_today, low_new])),
        [
            "Write units per admission when nobody competes: today a snapshot read and one "
            "transaction of three items (6); new: the lease (1) and one transaction of two items (4).",
        ],
    )
    report.progress("opening: calibration, the real register path against the DynamoDB model")
    real, checked = calibration.measure_real(endpoint, client)
    simulated = calibration.measure_simulated()
    today = calibration.measure_simulated(design=Direct)
    small, scale = calibration.SMALL, calibration.SCALE
    report.section(
        f"6b. Calibration: the real code vs the simulation ({small.users} people, capacity "
        f"{small.capacity}, arrivals within {small.arrival_window_s:g} s)",
        report.table(
            [
                "",
                f"real code, new design (model at scale {scale:g})",
                f"simulation, new (mean of {calibration.SIM_SEEDS} seeds)",
                "simulation, today (reference)",
            ],
            summary.calibration_rows([real, simulated, today]),
        ),
        [
            "Checks the simulation's path against the real code: `event_core.registration.register` "
            "in one thread per person, against DynamoDB Local behind the conflict model with every "
            f"latency, backoff pause, the admission wait, the await polls, the lease and Retry-After "
            f"stretched {scale:g}x (counts from the model's stats; times divided back by the scale). "
            "No stream here: after everyone was answered `keep_admitting` runs once (in both).",
            "This machine's CPU time per request (botocore, the proxy, DynamoDB Local) and thread "
            "scheduling come on top of the modeled latency in the real run and not in the "
            "simulation, and one run of each is a sample of a random process: expect agreement within "
            "about 10-20%, with the real run slightly slower, not equality.",
            f"The real run ended with registeredCount {checked.registered_count} "
            f"({checked.registered_rows} rows), waitlistCount {checked.waitlist_count} "
            f"({checked.waitlisted_rows} rows), {checked.queued} requests left in the queue: "
            f"{'consistent' if checked.consistent else 'INCONSISTENT'}.",
        ],
    )
    ran = dict(zip([(w, s.label) for w in waits for s in scenario.OPENING], by_wait, strict=True))
    ran.update({(WAIT_S, a_new.label): a_new, (WAIT_S, b_new.label): b_new})
    report.section(
        "6c. The new design's ADMISSION_WAIT_SECONDS: Lambda concurrency against answers (simulated)",
        report.table(
            summary.WAIT_HEADERS,
            summary.wait_rows([(w, ran[(w, s.label)]) for s in scenario.OPENING for w in scenario.WAITS_S]),
        ),
        [
            "How long a queued request waits for its place before answering 202 (the register "
            "function holds a Lambda for that long); after a 202 the client polls every second. "
            f"{WAIT_S:g} s is the default (the column 'new' of section 6).",
        ],
    )
    everything = [*rush, low_today, low_new, *by_wait]
    broken = [
        f"{o.label} ({o.design}): {name}" for o in everything for name, ok in o.invariants.items() if not ok
    ]
    if not checked.consistent:
        broken.append("calibration: the real run's counters, rows and queue disagree")
    if broken:
        raise SystemExit("opening: invariants violated: " + "; ".join(broken))
