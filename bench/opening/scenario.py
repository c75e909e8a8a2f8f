"""The opening minute's scenarios, and running them (each in its own process, side by side)."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

from bench.opening.outcome import Outcome, outcome
from bench.opening.simulation import DesignFactory, Scenario, Simulation
from dynamodb_model.latency import Latencies

USERS = 10_000
CAPACITY = 1_000
LEAVERS = 100  # unregister during the rush, among the first 1,000 registered

OPENING = (
    Scenario("(a) arrivals over 60 s", USERS, CAPACITY, arrival_window_s=60.0, leavers=LEAVERS, seed=1),
    Scenario("(b) arrivals within 1 s", USERS, CAPACITY, arrival_window_s=1.0, leavers=LEAVERS, seed=2),
)
LOW_USERS = 100
LOW_LOAD = Scenario(
    "(c) low load: one arrival a second",
    LOW_USERS,
    CAPACITY,
    arrival_window_s=float(LOW_USERS),
    seed=3,
    arrivals_s=tuple(float(n) for n in range(LOW_USERS)),
)

WAITS_S = (0.0, 0.5, 1.0, 2.0, 5.0)  # ADMISSION_WAIT_SECONDS compared (the new design)


def run(scenario: Scenario, design: DesignFactory, latencies: Latencies | None = None) -> Outcome:
    started = time.perf_counter()
    simulated = outcome(Simulation(scenario, design, latencies).run())
    return replace(simulated, wall_s=time.perf_counter() - started)


def run_all(runs: Sequence[tuple[Scenario, DesignFactory]], *, processes: int = 2) -> list[Outcome]:
    """Each (scenario, design) in a worker process, side by side on a machine's CPUs, in the
    order given (put the longest first)."""
    if processes <= 1 or len(runs) <= 1:
        return [run(scenario, design) for scenario, design in runs]
    context = multiprocessing.get_context("spawn")  # the benchmark process has threads: no fork
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        return list(pool.map(run, [s for s, _ in runs], [d for _, d in runs]))
