"""Where a function's import time goes beyond the floor, from `python -X importtime`.

    python -m bench.importtime register [get_event ...] [--runs 7]

Runs the floor (`import boto3; boto3.client("dynamodb")`) and each function's `import app`
in fresh interpreters with Lambda's packages only (as section 1 does), several times, and
sums the median self time of every module the function imports and the floor does not, by
package. No DynamoDB is needed: nothing is served, and the client that a function creates at
init on Lambda is left out (AWS_LAMBDA_FUNCTION_NAME unset), since the floor creates one too.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path

from bench.coldstart import FLOOR, Target, command, targets
from bench.report import ms, table
from bench.runtime_packages import lambda_site

_LINE = re.compile(r"^import time:\s+(\d+) \|\s+\d+ \|( *)(\S+)$")
# Split these packages one level further: that is where their cost differs.
_SPLIT = ("aws_lambda_powertools", "aws_xray_sdk", "event_core", "pydantic")


def self_times(target: Target, site: Path, workdir: Path, runs: int) -> dict[str, float]:
    """Median self time (seconds) of every module the target imports."""
    samples: list[dict[str, float]] = []
    for _ in range(runs):
        argv = command(target, "lambda", workdir / "result.json", site, flags=("-X", "importtime"))
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            argv, env=target.environment, cwd=target.cwd, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{target.name}: {done.stderr[-2000:]}")
        found: dict[str, float] = {}
        for line in done.stderr.splitlines():
            if match := _LINE.match(line):
                found[match.group(3)] = int(match.group(1)) / 1e6
        samples.append(found)
    names = set().union(*samples)
    return {name: statistics.median(s.get(name, 0.0) for s in samples) for name in names}


def group(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] in _SPLIT else parts[0]


def beyond_floor(function: dict[str, float], floor: dict[str, float]) -> dict[str, float]:
    by_package: dict[str, float] = defaultdict(float)
    for module, seconds in function.items():
        if module not in floor:
            by_package[group(module)] += seconds
    return dict(by_package)


def attribution(
    names: list[str], *, runs: int, endpoint: str = "http://127.0.0.1:9"
) -> dict[str, dict[str, float]]:
    from bench.lambda_env import template_functions

    functions = template_functions(endpoint, "127.0.0.1:9")
    found = {t.name: t for t in targets(functions, {})}
    floor_target = found[FLOOR]
    result: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-importtime-") as tmp:
        workdir = Path(tmp)
        site = lambda_site(workdir / "lambda-site")
        for target in [floor_target, *(found[n] for n in names)]:
            target.environment = {
                k: v for k, v in target.environment.items() if k != "AWS_LAMBDA_FUNCTION_NAME"
            }
            target.command_spec = {**target.command_spec, "import_only": True}
        floor = self_times(floor_target, site, workdir, runs)
        for name in names:
            result[name] = beyond_floor(self_times(found[name], site, workdir, runs), floor)
    return result


def rows(by_package: dict[str, float], top: int = 14) -> list[list[object]]:
    listed = sorted(by_package.items(), key=lambda item: -item[1])[:top]
    rest = sum(by_package.values()) - sum(seconds for _, seconds in listed)
    found: list[list[object]] = [[package, ms(seconds)] for package, seconds in listed]
    found.append(["everything else", ms(rest)])
    found.append(["total beyond the floor", ms(sum(by_package.values()))])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.importtime", description=__doc__)
    parser.add_argument("functions", nargs="+")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    for name, by_package in attribution(args.functions, runs=args.runs).items():
        print(f"\n{name}: modules imported beyond the floor, median self time (ms)\n")
        print(table(["package", "ms"], rows(by_package)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
