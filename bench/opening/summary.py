"""The opening minute's tables: the designs and scenarios side by side, and the calibration."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bench.opening.calibration import Measured
from bench.opening.items import HOT_PARTITIONS
from bench.opening.outcome import Outcome

PARTITION_LIMIT = 1_000  # write units per second one partition serves (not modeled)


def _n(value: float) -> str:
    return f"{value:,.0f}"


def _f(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def _s(*values: float) -> str:
    return " / ".join(_f(v, 2) for v in values) + " s"


def scenario_rows(outcomes: Sequence[Outcome]) -> list[list[object]]:
    def row(name: str, value: Callable[[Outcome], object]) -> list[object]:
        return [name, *(value(o) for o in outcomes)]

    def per(count: Callable[[Outcome], int]) -> Callable[[Outcome], str]:
        return lambda o: _f(o.per_admission(count(o)), 2)

    rows = [
        row("design", lambda o: o.design),
        row("people / capacity / leavers", lambda o: f"{o.users:,} / {o.capacity:,} / {o.left}"),
        row(
            "admitted/s (rows written per modeled s, first arrival to last row)",
            lambda o: _f(o.admitted_per_s),
        ),
        row("decided within: last arrival to last row written", lambda o: _s(o.drain_s)),
        row(
            "arrival to decision (row written) p50 / p99 / max",
            lambda o: _s(o.decided_p50_s, o.decided_p99_s, o.decided_max_s),
        ),
        row("everyone knows their place: last arrival to last answer", lambda o: _s(o.answered_s)),
        row(
            "arrival to place known p50 / p99 (incl. 503 retries, status polls)",
            lambda o: _s(o.p50_s, o.p99_s),
        ),
        row("201 / 202 answers", lambda o: f"{o.tally.created:,} / {o.tally.accepted:,}"),
        row("status polls (GET) after a 202", lambda o: _n(o.tally.status_polls)),
        row("503 answers", lambda o: _n(o.tally.busy)),
        row("other non-2xx answers", lambda o: _n(o.tally.refused)),
        row(
            "TransactWriteItems sent (per admission)",
            lambda o: f"{_n(o.tally.transactions)} ({per(lambda o: o.tally.transactions)(o)})",
        ),
        row(
            "...cancelled by a conflict / condition failures",
            lambda o: f"{_n(o.tally.cancelled)} / {_n(o.tally.condition_failures)}",
        ),
        row(
            "lease + queue writes (Update/PutItem) / BatchWriteItem calls",
            lambda o: f"{_n(o.tally.single_writes)} / {_n(o.tally.batch_writes)}",
        ),
        row(
            "lease writes that met a transaction (releases; releases given up)",
            lambda o: (
                f"{_n(o.tally.lease_conflicts)} ({_n(o.tally.release_conflicts)};"
                f" {_n(o.tally.releases_given_up)})"
            ),
        ),
        row("reads (GetItem, BatchGetItem, Query) per admission", per(lambda o: o.tally.reads)),
        row("billed write units per admission", per(lambda o: o.tally.write_units)),
        row(
            "most write units in one second: "
            + " / ".join(HOT_PARTITIONS)
            + f" (a partition: {PARTITION_LIMIT:,}/s)",
            lambda o: " / ".join(_n(o.peak_units_per_s[where]) for where in HOT_PARTITIONS),
        ),
        row("peak API requests in flight (~ Lambda concurrency)", lambda o: _n(o.peak_open_requests)),
        row(
            "API requests' time in flight, summed (~ Lambda duration)", lambda o: f"{_n(o.request_seconds)} s"
        ),
        row(
            "stream invocations (peak in flight)",
            lambda o: f"{_n(o.tally.continuations)} ({o.peak_continuations})",
        ),
        row("unregister request to its answer p50 / max", lambda o: _s(o.leave_p50_s, o.leave_max_s)),
        row(
            "unregistered (of which without the lease) / promoted from the waitlist",
            lambda o: f"{o.left} ({o.tally.leaves_without_lease}) / {o.tally.promoted}",
        ),
        row("simulation: events / wall time", lambda o: f"{_n(o.steps)} / {_f(o.wall_s)} s"),
    ]
    for name in outcomes[0].invariants:
        rows.append([name, *("ok" if o.invariants[name] else "VIOLATED" for o in outcomes)])
    return rows


def wait_rows(runs: Sequence[tuple[float, Outcome]]) -> list[list[object]]:
    """One row per (ADMISSION_WAIT_SECONDS, scenario) run of the new design."""
    return [
        [
            f"{wait:g} s",
            o.label,
            f"{o.tally.created:,} / {o.tally.accepted:,}",
            _n(o.tally.status_polls),
            _n(o.peak_open_requests),
            f"{_n(o.request_seconds)} s",
            _s(o.response_p50_s),
            _s(o.p50_s, o.p99_s),
        ]
        for wait, o in runs
    ]


WAIT_HEADERS = [
    "ADMISSION_WAIT_SECONDS",
    "arrivals",
    "201 / 202",
    "status polls",
    "peak API requests in flight",
    "API time in flight, summed",
    "register request to its answer p50",
    "arrival to place known p50 / p99",
]


def calibration_rows(columns: Sequence[Measured]) -> list[list[object]]:
    def row(name: str, value: Callable[[Measured], object]) -> list[object]:
        return [name, *(value(m) for m in columns)]

    return [
        row("TransactWriteItems per admission", lambda m: _f(m.per_admission(m.transactions), 2)),
        row("cancelled by a conflict per admission", lambda m: _f(m.per_admission(m.cancelled), 2)),
        row("billed write units per admission", lambda m: _f(m.per_admission(m.write_units), 2)),
        row("201 / 202 answers", lambda m: f"{_f(m.created)} / {_f(m.accepted)}"),
        row("503 answers", lambda m: _f(m.busy)),
        row("answers/s (modeled, first arrival to last answer)", lambda m: _f(m.answered_per_s)),
        row("register request to its answer p50 (modeled)", lambda m: f"{_f(m.p50_s, 2)} s"),
    ]
