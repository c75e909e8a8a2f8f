"""The everyday loop's commands: seed, reset, invoke, the `sam local` env file, and readable
server output."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys

import pytest
import requests

from local_api.cli import parser
from local_api.net import free_port, port_is_free, wait_until
from local_api.output_filter import filter_line
from local_api.paths import COMMITTED_ENV_FILE, EVENTS_DIR, PERSIST_DIR, TOOLS_DIR
from local_api.request_log import quiet_authorizer_warnings, request_line, with_new_request_id
from local_api.sam_env import sam_env_vars, write_sam_env
from local_api.seed import demo_data, restore_samples, sample_ids
from tests.local_api.test_cli import run_cli

EMF = b'{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"ColdStart":[1.0]}'
REQUEST_LINE = re.compile(r"^GET /echo 200 \d+ ms [0-9a-f-]{36}$", re.MULTILINE)


# -- the command line ---------------------------------------------------------------------------


def test_persist_demo_and_ports_come_from_the_environment():
    env = {"PERSIST": "1", "DEMO": "yes", "DYNAMODB_PORT": "8123"}

    serve = parser(env).parse_args(["serve"])
    seed = parser(env).parse_args(["seed"])
    plain = parser({}).parse_args(["serve"])

    assert (serve.persist, serve.dynamodb_port) == (True, 8123)
    assert seed.demo is True
    assert (plain.persist, plain.dynamodb_port, plain.port) == (False, 8000, 3000)
    assert parser({"PERSIST": "0"}).parse_args(["dynamodb"]).persist is False


def test_invoke_takes_a_function_and_an_event():
    args = parser({}).parse_args(["invoke", "GetEventFunction", "events/get_event.json"])

    assert args.function == "GetEventFunction"
    assert str(args.event) == "events/get_event.json"
    with pytest.raises(SystemExit):
        parser({}).parse_args(["invoke", "GetEventFunction"])


def test_persistent_data_lives_under_dot_local():
    assert PERSIST_DIR.parent.name == ".local"


def test_seed_without_a_running_dynamodb_says_what_to_start():
    result = run_cli("seed", f"--dynamodb-port={free_port()}", env={"DYNAMODB_ENDPOINT": ""})

    assert result.returncode == 1
    assert "make dev" in result.stderr
    assert "make dynamodb" in result.stderr
    assert "Traceback" not in result.stderr


# -- seed and reset -----------------------------------------------------------------------------


def test_seed_restores_the_samples_state_every_time(ddb_endpoint, ddb_client):
    # Given a sample event that a sample deleted, and the one create_event.json creates
    run_cli("seed", f"--dynamodb-endpoint={ddb_endpoint}")
    ddb_client.delete_item(TableName="EventsTable", Key={"eventId": {"S": "evt-sample-2"}})
    created = json.loads(json.loads((EVENTS_DIR / "create_event.json").read_text())["body"])["eventId"]
    ddb_client.put_item(TableName="EventsTable", Item={"eventId": {"S": created}})

    # When seeding again
    result = run_cli("seed", f"--dynamodb-endpoint={ddb_endpoint}")

    # Then the seeded state is back: both events, one registration, nothing created by samples
    assert result.returncode == 0, result.stderr
    assert "2 users, 2 events, 1 registrations" in result.stdout
    event = ddb_client.get_item(
        TableName="EventsTable", Key={"eventId": {"S": "evt-sample-1"}}, ConsistentRead=True
    )
    assert event["Item"]["registeredCount"] == {"N": "1"}
    assert "Item" in ddb_client.get_item(TableName="EventsTable", Key={"eventId": {"S": "evt-sample-2"}})
    assert "Item" not in ddb_client.get_item(TableName="EventsTable", Key={"eventId": {"S": created}})


def test_restore_samples_in_process(local_env, ddb_client):
    restore_samples(ddb_client)
    seeded = restore_samples(ddb_client)

    assert (seeded.users, seeded.events, seeded.registrations) == (2, 2, 1)
    assert {"evt-sample-1", "evt-sample-2", "evt-sample-3"} == sample_ids()[0]


def test_demo_data_is_consistent():
    users, events, registrations = demo_data()
    user_ids = {u["userId"] for u in users}
    event_ids = {e["eventId"]: e for e in events}

    assert {r["userId"] for r in registrations} <= user_ids
    assert all(event_ids[r["eventId"]]["status"] == "active" for r in registrations)
    assert len({(r["eventId"], r["userId"]) for r in registrations}) == len(registrations)
    assert any(e["waitlistEnabled"] for e in events)


def test_reset_empties_the_templates_tables(ddb_endpoint, ddb_client, sample_copy):
    # Given a template of its own (so no other test's table is emptied) with an item in its table
    sample_copy.write_text(sample_copy.read_text().replace("ThingsTable", "ResetThingsTable"))
    run_cli("tables", f"--template={sample_copy}", f"--endpoint={ddb_endpoint}")
    ddb_client.put_item(TableName="ResetThingsTable", Item={"pk": {"S": "x"}, "sk": {"S": "y"}})

    # When
    result = run_cli("reset", f"--template={sample_copy}", f"--dynamodb-endpoint={ddb_endpoint}")

    # Then the table is there and empty
    assert result.returncode == 0, result.stderr
    assert "ResetThingsTable empty (1 items deleted)" in result.stdout
    assert ddb_client.scan(TableName="ResetThingsTable", ConsistentRead=True)["Items"] == []


# -- invoke -------------------------------------------------------------------------------------


def test_invoke_starts_dynamodb_local_seeds_and_answers_the_sample(tmp_path):
    # Given nothing listening on the DynamoDB port
    port = free_port()

    # When get_event.json is invoked
    result = run_cli(
        "invoke",
        "GetEventFunction",
        str(EVENTS_DIR / "get_event.json"),
        f"--dynamodb-port={port}",
        env={"DYNAMODB_ENDPOINT": ""},
    )

    # Then the seeded sample event comes back, and the DynamoDB Local started for it is gone
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"])["eventId"] == "evt-sample-1"
    assert f"DynamoDB Local at http://127.0.0.1:{port}" in result.stderr
    assert '"_aws"' not in result.stderr
    assert port_is_free(port)


def test_invoke_names_the_functions_when_one_is_unknown(ddb_endpoint):
    result = run_cli(
        "invoke", "NoSuchFunction", str(EVENTS_DIR / "get_event.json"), f"--dynamodb-endpoint={ddb_endpoint}"
    )

    assert result.returncode == 1
    assert "GetEventFunction" in result.stderr
    assert "Traceback" not in result.stderr


# -- sam local's env file -----------------------------------------------------------------------


def test_the_committed_env_file_is_the_generated_one_for_port_8000():
    assert sam_env_vars(8000) == json.loads(COMMITTED_ENV_FILE.read_text())


def test_the_env_file_follows_the_dynamodb_port(tmp_path):
    path = write_sam_env(8123, tmp_path / "env.json")

    parameters = json.loads(path.read_text())["Parameters"]
    assert parameters["DYNAMODB_ENDPOINT"] == "http://host.docker.internal:8123"
    assert parameters["EVENTS_TABLE"] == "EventsTable"


# -- readable output ----------------------------------------------------------------------------


def test_metrics_documents_are_dropped_unless_asked_for():
    assert filter_line(EMF) is None
    assert filter_line(EMF, metrics=True) == EMF
    assert filter_line(b"") is None
    # Another process's line written into the middle of a document is kept
    garbled = EMF[:20] + b'{"level":"ERROR"}' + EMF[20:]
    assert filter_line(garbled) == garbled


def test_colour_codes_go_unless_the_output_is_a_terminal():
    coloured = b"\x1b[1m\x1b[31mGET /x 500\x1b[0m"

    assert filter_line(coloured) == b"GET /x 500"
    assert filter_line(coloured, colour=True) == coloured


def test_output_of_child_processes_is_filtered_too():
    # Given a child process that writes a metrics document and a coloured line to its stderr
    written = EMF + b"\n\x1b[33mkept\x1b[0m\n"
    child = f"import os; os.write(2, bytes.fromhex({written.hex()!r}))"
    script = (
        "import subprocess, sys\n"
        "from local_api.output_filter import filtered_stderr\n"
        "with filtered_stderr(colour=False):\n"
        f"    subprocess.run([sys.executable, '-c', {child!r}], check=True)\n"
    )

    # When it runs inside filtered_stderr
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script],
        env={"PYTHONPATH": str(TOOLS_DIR)},
        capture_output=True,
        timeout=30,
        check=True,
    )

    # Then only the plain line comes out
    assert result.stderr == b"kept\n"


def test_each_request_gets_its_own_request_id():
    event = json.dumps({"requestContext": {"requestId": "same"}, "body": None})

    first, first_id = with_new_request_id(event)
    _, second_id = with_new_request_id(event)

    assert first_id != second_id
    assert json.loads(first)["requestContext"]["requestId"] == first_id
    assert with_new_request_id("[]") == ("[]", None)
    assert request_line("GET", "/health", "200", 12.4, first_id) == f"GET /health 200 12 ms {first_id}"


def test_skipped_authorizer_warnings_are_not_shown(caplog):
    parser_log = "samcli.commands.local.lib.swagger.parser"
    with quiet_authorizer_warnings():
        logging.getLogger(parser_log).warning("Skip parsing unsupported authorizer '%s'", "AWS_IAM")
        logging.getLogger(parser_log).warning("something else")

    assert [r.getMessage() for r in caplog.records if r.name == parser_log] == ["something else"]


@pytest.mark.http
def test_the_server_logs_one_plain_line_per_request(sample_server):
    response = requests.get(f"{sample_server.url}/echo", timeout=30)

    assert response.status_code == 200
    assert wait_until(lambda: bool(REQUEST_LINE.search(sample_server.log())), timeout=30)  # after the answer
    log = sample_server.log()
    assert "\x1b[" not in log
    assert "Skip parsing unsupported authorizer" not in log
