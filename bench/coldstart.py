"""Section 1: cold start per function against the floor, in fresh interpreters.

A cold start here is what the Lambda runtime does when a new sandbox gets its first request:
start Python, import the handler module (layer and Powertools included, environment as in the
template), and serve one event. Each function serves its events/ sample against DynamoDB Local
holding the sample seed (restored before every run, since some samples change it).

The floor is the issue's baseline: a fresh interpreter that imports boto3 and creates a
DynamoDB client. "floor + call" adds one GetItem, the fair comparison for functions whose sample
calls DynamoDB; "floor + call + resolver" adds Powertools' REST resolver with validation, the
least any function built on it can cost.

Runs are interleaved (round-robin over all targets, one warm-up round discarded), so load that
comes and goes on a shared machine hits every target alike. Wall time is measured around the
process; CPU time (user + system, from wait4) is far less sensitive to other load and is what
the ratios use, each the median over rounds of target / floor in the same round. Two profiles:
`lambda` (no site-packages, only the packages Lambda has: `bench.runtime_packages`) for every
target, and `venv` (the dev venv as installed) for a few, to show how the venv shifts things.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.lambda_env import Function
from bench.paths import COLD_START_CHILD, EVENTS_DIR, LAMBDA_CONTEXT_FILE
from bench.report import ms, s3, x
from bench.runtime_packages import lambda_site
from bench.stats import median, ratio

FLOOR = "floor"
FLOOR_CALL = "floor + call"
STACK = "floor + call + resolver"
PROFILES = ("lambda", "venv")
# The venv profile only needs to show how the dev venv shifts the numbers: the floors and a few.
VENV_PROFILE_TARGETS = frozenset({FLOOR, FLOOR_CALL, "health", "get_event", "register"})
TARGET_RATIO = 1.3


@dataclass(frozen=True, slots=True)
class Run:
    wall_s: float
    cpu_s: float
    max_rss_kb: int
    init_s: float
    first_request_s: float
    status: int
    uses_dynamodb: bool


@dataclass
class Target:
    name: str
    command_spec: dict[str, Any]
    environment: dict[str, str]
    cwd: Path
    runs: dict[str, list[Run]] = field(default_factory=dict)

    @property
    def profiles(self) -> tuple[str, ...]:
        return PROFILES if self.name in VENV_PROFILE_TARGETS else PROFILES[:1]

    def median(self, profile: str, attribute: str) -> float:
        return median([getattr(run, attribute) for run in self.runs.get(profile, [])])

    def ratio_to(self, base: Target, profile: str, attribute: str = "cpu_s") -> float:
        """Median over rounds of this target's time / the base's time in the same round: runs
        made seconds apart share the machine's load, so the ratio cancels most of it."""
        pairs = zip(self.runs.get(profile, []), base.runs.get(profile, []), strict=True)
        return median([ratio(getattr(mine, attribute), getattr(theirs, attribute)) for mine, theirs in pairs])

    def uses_dynamodb(self, profile: str) -> bool:
        return any(run.uses_dynamodb for run in self.runs.get(profile, []))

    def statuses(self, profile: str) -> set[int]:
        return {run.status for run in self.runs.get(profile, [])}


def command(
    target: Target, profile: str, result: Path, lambda_site: Path, flags: tuple[str, ...] = ()
) -> list[str]:
    """Profile `lambda`: no site-packages, only Lambda's packages (`-S` and `lambda_site` on
    the path); profile `venv`: the dev venv as installed."""
    spec = {**target.command_spec, "result": str(result)}
    interpreter_flags = ["-P", *flags]
    if profile == "lambda":
        interpreter_flags.append("-S")
        spec["paths"] = [*spec["paths"], str(lambda_site)]
    return [sys.executable, *interpreter_flags, str(COLD_START_CHILD), json.dumps(spec)]


def run_child(target: Target, profile: str, workdir: Path, lambda_site: Path) -> Run:
    """One cold start, timed from outside (wall, CPU) and inside (init, first request)."""
    result = workdir / "result.json"
    result.unlink(missing_ok=True)
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        command(target, profile, result, lambda_site),
        env=target.environment,
        cwd=target.cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    errors = b""
    if process.stderr:
        errors = process.stderr.read()
        process.stderr.close()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 or not result.exists():
        raise RuntimeError(f"cold start of {target.name} failed:\n{errors.decode(errors='replace')}")
    measured = json.loads(result.read_text())
    return Run(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        max_rss_kb=measured["peak_rss_kb"],
        init_s=measured["init_s"],
        first_request_s=measured["first_request_s"],
        status=measured["status"],
        uses_dynamodb=measured["uses_dynamodb"],
    )


def targets(functions: dict[str, Function], floor_call: dict[str, Any]) -> list[Target]:
    any_function = next(iter(functions.values()))
    floor_env = any_function.environment
    found = [
        Target(FLOOR, {"mode": "floor", "paths": []}, floor_env, any_function.code_dir),
        Target(
            FLOOR_CALL, {"mode": "floor", "paths": [], "call": floor_call}, floor_env, any_function.code_dir
        ),
        Target(
            STACK,
            {"mode": "floor", "paths": [], "call": floor_call, "resolver": True},
            floor_env,
            any_function.code_dir,
        ),
    ]
    for name, function in functions.items():
        if not (EVENTS_DIR / f"{name}.json").exists():
            continue  # no events/ sample to serve
        spec = {
            "mode": "function",
            "name": function.logical_id,
            "context": str(LAMBDA_CONTEXT_FILE),
            "paths": [str(function.code_dir), *map(str, function.layer_dirs)],
            "event": str(EVENTS_DIR / f"{name}.json"),
        }
        found.append(Target(name, spec, function.environment, function.code_dir))
    return found


def measure(
    found: list[Target],
    *,
    rounds: int,
    before_each: Callable[[Target], None] = lambda target: None,
    progress: Callable[[str], None] = lambda message: None,
) -> None:
    """`rounds` measured rounds after one warm-up round (bytecode caches, page cache)."""
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        workdir = Path(tmp)
        site = lambda_site(workdir / "lambda-site")
        for number in range(rounds + 1):
            progress(f"cold starts: round {number}/{rounds}" + (" (warm-up)" if number == 0 else ""))
            for target in found:
                for profile in target.profiles:
                    before_each(target)
                    run = run_child(target, profile, workdir, site)
                    if number:
                        target.runs.setdefault(profile, []).append(run)


def matching_floor(target: Target, by_name: dict[str, Target], profile: str) -> Target:
    """floor + call for what calls DynamoDB (and the resolver reference), else the floor."""
    return by_name[FLOOR_CALL] if target.uses_dynamodb(profile) else by_name[FLOOR]


def verdict(vs_floor: float, vs_matching: float) -> str:
    if vs_floor <= TARGET_RATIO:
        return "yes"
    return "vs floor+call" if vs_matching <= TARGET_RATIO else "no"


def summary(found: list[Target]) -> list[list[object]]:
    """Rows of the cold start table, profile `lambda`."""
    profile = "lambda"
    by_name = {t.name: t for t in found}
    floor = by_name[FLOOR]
    rows: list[list[object]] = []
    for target in found:
        cpu = target.median(profile, "cpu_s")
        vs_floor = target.ratio_to(floor, profile)
        vs_matching = target.ratio_to(matching_floor(target, by_name, profile), profile)
        is_reference = target.name in (FLOOR, FLOOR_CALL, STACK)
        rows.append(
            [
                target.name,
                s3(cpu),
                s3(target.median(profile, "wall_s")),
                x(vs_floor),
                x(target.ratio_to(floor, profile, "wall_s")),
                x(vs_matching) if target.uses_dynamodb(profile) else "-",
                "" if is_reference else verdict(vs_floor, vs_matching),
                s3(target.median(profile, "init_s")),
                ms(target.median(profile, "first_request_s")),
                f"{target.median(profile, 'max_rss_kb') / 1024:.0f}",
                "/".join(map(str, sorted(target.statuses(profile)))),
            ]
        )
    return rows


def venv_summary(found: list[Target]) -> list[list[object]]:
    """The same targets run in the dev venv as installed, next to the Lambda profile."""
    by_name = {t.name: t for t in found}
    rows: list[list[object]] = []
    for target in found:
        if "venv" not in target.runs:
            continue
        lam, venv = target.median("lambda", "cpu_s"), target.median("venv", "cpu_s")
        rows.append(
            [
                target.name,
                s3(lam),
                s3(venv),
                ms(venv - lam),
                x(target.ratio_to(by_name[FLOOR], "lambda")),
                x(target.ratio_to(by_name[FLOOR], "venv")),
            ]
        )
    return rows


COLUMNS = [
    "cold start",
    "CPU s",
    "wall s",
    "x floor",
    "x floor (wall)",
    "x floor+call",
    "<= 1.3x",
    "init s",
    "1st request ms",
    "peak RSS MB",
    "status",
]
VENV_COLUMNS = [
    "cold start",
    "Lambda pkgs CPU s",
    "venv CPU s",
    "venv extra ms",
    "x floor (Lambda)",
    "x floor (venv)",
]
