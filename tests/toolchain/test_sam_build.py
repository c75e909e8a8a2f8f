"""`sam build` output: every built function answers its events/ sample against DynamoDB Local.

`make test` runs `sam build` first (make build). When the build output is missing or older than
the sources these tests skip, or fail under TOOLCHAIN_REQUIRED=1 (what `make test` sets). How
the functions run, and what is and is not exercised on a non-arm64 machine: tests/toolchain/built.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from samcli.yamlhelper import yaml_parse

from local_api.functions import FunctionSpec
from local_api.process import WorkerProcess
from local_api.samples import load_sample
from local_api.seed import restore_samples
from tests.handlers.test_handler_samples import EXPECTED, STREAM_EXPECTED, write_inserted_items
from tests.support.lambda_runner import STREAM_SAMPLES, Answer
from tests.toolchain import built

SAMPLE_CREATES = {"create_event": "eventId", "create_user": "userId"}


def api_functions() -> dict[str, str]:
    """Logical id -> function directory name, for the functions API Gateway invokes."""
    resources = yaml_parse(built.SOURCE_TEMPLATE.read_text())["Resources"]
    return {
        logical_id: resource["Properties"]["CodeUri"].strip("/").split("/")[-1]
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
        and any(e["Type"] == "Api" for e in (resource["Properties"].get("Events") or {}).values())
    }


def logical_ids() -> dict[str, str]:
    """Function directory name -> logical id, for every function."""
    resources = yaml_parse(built.SOURCE_TEMPLATE.read_text())["Resources"]
    return {
        resource["Properties"]["CodeUri"].strip("/").split("/")[-1]: logical_id
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


API_FUNCTIONS = api_functions()


@pytest.fixture(scope="module")
def build_output() -> Path:
    reason = built.stale_reason()
    if reason:
        message = f".aws-sam/build is not current ({reason}): run `make build`"
        if os.environ.get("TOOLCHAIN_REQUIRED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return built.BUILD_DIR


@pytest.fixture(scope="module")
def overlay(build_output: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path | None, dict]:
    """On a non-arm64 machine, the venv's copies of the layer's arm64-only binary packages."""
    if not built.foreign_binary_packages():
        return None, {}
    return built.venv_overlay(tmp_path_factory.mktemp("venv-overlay"))


@pytest.fixture(scope="module")
def specs(overlay: tuple[Path | None, dict], ddb_endpoint: str) -> dict[str, FunctionSpec]:
    return built.built_specs(ddb_endpoint, overlay[0])


@pytest.fixture(scope="module")
def worker_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("built-functions") / "workers.log"


def answer_of(body: str) -> Answer:
    raw = json.loads(body)
    headers = {k.lower(): v for k, v in (raw.get("headers") or {}).items()}
    for key, values in (raw.get("multiValueHeaders") or {}).items():
        headers[key.lower()] = ",".join(values)
    text = raw.get("body")
    return Answer(status=raw["statusCode"], headers=headers, body=json.loads(text) if text else None, raw=raw)


def check_list_events_in_a_shared_database(answer: Answer, ddb: Any) -> None:
    """DynamoDB Local here also holds other tests' events: the shape, not the exact list
    (tests/handlers checks that on a database holding only the samples)."""
    assert set(answer.body) == {"events", "count", "nextToken"}
    assert answer.body["count"] == len(answer.body["events"]) <= 25
    assert all(e["status"] == "active" for e in answer.body["events"])


CHECK_IN_OPENS, CHECK_IN_CLOSES = "2031-03-09T17:30:00Z", "2031-03-11T17:30:00Z"  # the sample event's


def check_in_expected() -> tuple[int, Callable[[Answer, Any], None]]:
    """A built function runs on the real clock: the sample's check-in answers 200 only within the
    sample event's check-in hours, and says when they are otherwise."""
    now = datetime.now(UTC)
    if datetime.fromisoformat(CHECK_IN_OPENS) <= now < datetime.fromisoformat(CHECK_IN_CLOSES):
        return 200, checked_in
    return 409, check_in_out_of_its_hours


def checked_in(answer: Answer, ddb: Any) -> None:
    assert answer.body["checkedInAt"] is not None


def check_in_out_of_its_hours(answer: Answer, ddb: Any) -> None:
    assert answer.body == {"detail": f"Check-in is open from {CHECK_IN_OPENS} to {CHECK_IN_CLOSES}"}


@pytest.mark.parametrize(("logical_id", "name"), sorted(API_FUNCTIONS.items()))
def test_built_function_answers_its_sample(logical_id, name, specs, local_env, ddb_client, worker_log):
    # Given the sample data, and the function as built (code, layer, environment from the build)
    restore_samples(ddb_client)
    status, check = EXPECTED[name]
    if name == "list_events":
        check = check_list_events_in_a_shared_database
    if name == "check_in":
        status, check = check_in_expected()

    # When its events/ sample is invoked on a fresh worker, as `sam local invoke` would
    with worker_log.open("ab") as log:
        worker = WorkerProcess(specs[logical_id], log_fd=log.fileno())
        try:
            reply = worker.invoke(load_sample(name), str(uuid.uuid4()))
        finally:
            worker.stop()

    # Then it answers what the same function answers from source
    assert not reply.is_error, f"{reply.body}\n{worker_log.read_text()[-4000:]}"
    answer = answer_of(reply.body)
    assert answer.status == status, answer.body
    assert answer.header("Content-Type") == "application/json"
    check(answer, ddb_client)


@pytest.mark.parametrize("name", STREAM_SAMPLES)
def test_built_stream_function_does_what_its_sample_asks(name, specs, local_env, ddb_client, worker_log):
    # Given the sample data, and the items the sample's records say were inserted
    restore_samples(ddb_client)
    event = load_sample(name)
    write_inserted_items(ddb_client, event)

    # When its events/ sample is invoked on a fresh worker of the built function
    with worker_log.open("ab") as log:
        worker = WorkerProcess(specs[logical_ids()[name]], log_fd=log.fileno())
        try:
            reply = worker.invoke(event, str(uuid.uuid4()))
        finally:
            worker.stop()

    # Then it did what the same function does from source
    assert not reply.is_error, f"{reply.body}\n{worker_log.read_text()[-4000:]}"
    STREAM_EXPECTED[name](json.loads(reply.body), ddb_client)


PROBE = """
import importlib, json, sys
sys.path[:0] = sys.argv[1:]
modules = ["app", "event_core", "aws_lambda_powertools", "pydantic", "pydantic_core", "botocore",
           "boto3", "aws_xray_sdk", "wrapt"]
print(json.dumps({name: importlib.import_module(name).__file__ for name in modules}))
"""


def test_built_code_and_layer_are_what_runs(specs, overlay):
    # Given the register function as built, on the path a worker gives it
    spec = specs["RegisterFunction"]
    overlay_dir, versions = overlay

    # When its handler module is imported the way the worker imports it
    result = subprocess.run(  # noqa: S603 - our interpreter, our probe
        [sys.executable, "-P", "-c", PROBE, *map(str, spec.import_paths)],
        env=dict(spec.environment),
        cwd=spec.code_dir,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    origin = {name: Path(file).resolve() for name, file in json.loads(result.stdout).items()}

    # Then the handler comes from its build directory and the domain code from the built layer
    layer = built.LAYER_DIR.resolve()
    assert origin["app"].is_relative_to(built.BUILD_DIR.resolve() / "RegisterFunction")
    for name in ("event_core", "aws_lambda_powertools", "pydantic", "botocore", "aws_xray_sdk"):
        assert origin[name].is_relative_to(layer), name
    # boto3 is the runtime's (here the venv's), as on Lambda: the layer does not ship it
    assert not origin["boto3"].is_relative_to(layer)
    # arm64 binaries come from the layer on arm64, else from the venv at the layer's version
    for name in ("pydantic_core", "wrapt"):
        if overlay_dir is None:
            assert origin[name].is_relative_to(layer), name
        else:
            assert not origin[name].is_relative_to(layer), name
            layer_version, venv_version = versions[name]
            assert layer_version == venv_version, f"{name}: layer {layer_version}, venv {venv_version}"
