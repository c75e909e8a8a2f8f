"""Fuzzing: Schemathesis against the OpenAPI document the local server serves (GET /openapi.json).

Every operation, with a fixed seed: the coverage phase (boundary and invalid values of every
parameter and body field, undeclared content types and methods), the fuzzing phase (positive and
negative generated requests) and the stateful phase (chains along OpenAPI links: create ->
read -> update -> register -> leave -> delete -> read again; links from fuzz_hooks.py).

Passing means: no 5xx but the documented 503 with Retry-After (busy after retries, nothing
written: what a DynamoDB Local starved of CPU can make the API answer on a loaded machine); every
status code, content type, header and body the document promises; invalid requests refused with
a 4xx; a created resource readable (unless its 201 was an Idempotency-Key replay, see
fuzz_hooks.py); a deleted one gone.
Not checked: `positive_data_acceptance` (schema-valid requests can rightly fail: an opaque
nextToken, a date such as 2027-02-30, a reused Idempotency-Key), `unsupported_method` (API
Gateway, not this API, answers undeclared methods: 403) and the authorization checks (the local
server runs with AuthMode NONE).
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.resilience.totals import TOTALS

ROOT = Path(__file__).resolve().parents[2]
SEED = 20270514
MAX_EXAMPLES = 60  # per operation in the fuzzing phase
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "use_after_free",
    "created_resource_available",  # ensure_resource_availability, minus idempotent replays
]
MIN_REQUESTS = 1000
BUSY = 503  # documented for every operation, with Retry-After
# Schemathesis' not_a_server_error: every status but these is a server error.
NOT_SERVER_ERRORS = ["2xx", "3xx", "4xx", str(BUSY)]
TIME_BUDGET_SECONDS = 420  # a guard against a hang; the run takes about a minute


def run_schemathesis(api_url: str, report_dir: Path) -> subprocess.CompletedProcess[str]:
    config = report_dir / "schemathesis.toml"
    config.write_text(
        "[cache]\nenabled = false\n"  # no replays of earlier runs: the seed decides
        f"[checks.not_a_server_error]\nexpected-statuses = {json.dumps(NOT_SERVER_ERRORS)}\n"
    )
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config),
        "run",
        f"{api_url}/openapi.json",
        "--url",
        api_url,
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--checks",
        ",".join(CHECKS),
        "--workers",
        "1",  # one request at a time: with the seed, the same run every time
        "--request-timeout",
        "60",
        "--report",
        "json,har",
        "--report-dir",
        str(report_dir),
        "--output-truncate",
        "false",
    ]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.resilience.fuzz_hooks",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "NO_COLOR": "1",
    }
    return subprocess.run(  # noqa: S603 - our own venv's schemathesis, fixed arguments
        command,
        cwd=report_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIME_BUDGET_SECONDS,
        check=False,
    )


def _header(har_message: dict[str, Any], name: str) -> str | None:
    return next((h["value"] for h in har_message["headers"] if h["name"].lower() == name.lower()), None)


def only(directory: Path, pattern: str) -> dict[str, Any]:
    (path,) = directory.glob(pattern)
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


@pytest.mark.long
def test_fuzzing_finds_no_server_error_and_no_broken_promise(api_url, tmp_path):
    # When Schemathesis works through every operation of the served document
    result = run_schemathesis(api_url, tmp_path)
    report = only(tmp_path, "json-*.json")
    requests_sent = only(tmp_path, "har-*.json")["log"]["entries"]
    TOTALS["fuzzed requests"] += len(requests_sent)
    statuses = collections.Counter(entry["response"]["status"] for entry in requests_sent)
    summary = f"{len(requests_sent)} requests, statuses {dict(sorted(statuses.items()))}"
    print(f"schemathesis: {summary}; test cases {report['test_cases']}")

    # Then every check passed on every request, and nothing answered 5xx but a busy 503 that says
    # when to come back
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr[-5_000:]
    assert report["failures"] == [], report["failures"]
    assert report["errors"] == [], report["errors"]
    assert report["operations"]["tested"] == report["operations"]["total"] >= 14, report["operations"]
    assert not [s for s in statuses if s >= 500 and s != BUSY], summary
    busy = [entry for entry in requests_sent if entry["response"]["status"] == BUSY]
    assert all(_header(entry["response"], "Retry-After") for entry in busy), busy[:2]

    # And it was a real workout: many requests, and all four phases ran
    assert len(requests_sent) >= MIN_REQUESTS, summary
    phases = {name: phase["status"] for name, phase in report["phases"].items()}
    assert phases["examples"] in ("skip", "success"), phases  # skipped when the document has none
    assert [phases[name] for name in ("coverage", "fuzzing", "stateful")] == ["success"] * 3, phases
    assert statuses[201] > 0, summary
    assert statuses[200] > 0, summary
