"""The command line, as the Makefile and developers call it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from local_api.paths import REPO_ROOT, TOOLS_DIR

LAYER_DIR = REPO_ROOT / "layers" / "event_core"

pytestmark = pytest.mark.integration


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m local_api ...` as the Makefile runs it (tools/ and the layer on the path)."""
    path = os.pathsep.join([str(TOOLS_DIR), str(LAYER_DIR)])
    env = {**os.environ, **(env or {}), "PYTHONPATH": path}
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "local_api", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_tables_command_creates_missing_tables_once(ddb_endpoint, ddb_client, sample_copy):
    # Given a template whose table is renamed so that it does not exist yet
    template = sample_copy.read_text().replace("ThingsTable", "CliThingsTable")
    sample_copy.write_text(template)

    # When the command runs twice
    first = run_cli("tables", f"--template={sample_copy}", f"--endpoint={ddb_endpoint}")
    second = run_cli("tables", f"--template={sample_copy}", f"--endpoint={ddb_endpoint}")

    # Then the table is created by the first run only
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "Created: CliThingsTable"
    assert second.stdout.strip() == "Created: nothing (all tables existed)"
    assert ddb_client.describe_table(TableName="CliThingsTable")["Table"]["TableStatus"] == "ACTIVE"


def test_serve_refuses_a_dynamodb_port_in_use(sample_template):
    # Given a port that something already listens on
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        # When serve would start DynamoDB Local there
        result = run_cli("serve", f"--template={sample_template}", f"--dynamodb-port={port}", "--port=0")

    # Then it stops with a message saying what to do, not a traceback
    assert result.returncode != 0
    assert f"Port {port} is in use" in result.stderr
    assert "DYNAMODB_ENDPOINT" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("option", "variable"), [("--port", "PORT"), ("--moto-port", "MOTO_PORT")])
def test_serve_refuses_a_port_in_use(sample_template, ddb_endpoint, option, variable):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        result = run_cli(
            "serve",
            f"--template={sample_template}",
            f"--dynamodb-endpoint={ddb_endpoint}",
            f"{option}={port}",
        )

    assert result.returncode == 1
    assert (
        result.stderr.strip() == f"error: Port {port} is in use: stop what listens there or set {variable}."
    )
