"""The runtime on its own (no HTTP): what a function answers when it fails, dies or is missing,
and how warm workers follow edits to the code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from samcli.local.lambdafn.exceptions import FunctionNotFound

from local_api import DEFAULT_TEMPLATE as TEMPLATE
from local_api.functions import LOCAL_PAGE_TOKEN_SECRET, function_provider, function_specs, load_stacks
from local_api.net import wait_until
from local_api.reload import watched_roots
from local_api.runtime import LocalLambdaRuntime

DDB_UNUSED = "http://127.0.0.1:9"  # these functions never call DynamoDB
WAIT = 30.0  # a bound for a wait, not a timing claim

# SAM's template validation (inside the providers) uses deprecated jsonschema APIs.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:sam")


@pytest.fixture
def runtime(sample_copy: Path) -> Iterator[LocalLambdaRuntime]:
    stacks = load_stacks(sample_copy)
    specs = function_specs(function_provider(stacks).get_all(), sample_copy.parent, DDB_UNUSED)
    with LocalLambdaRuntime(specs, max_workers=2, reload_from=sample_copy.parent) as runtime:
        yield runtime


def proxy_event(path: str = "/echo") -> dict:
    return {"path": path, "httpMethod": "GET", "queryStringParameters": None}


def test_specs_follow_the_template(sample_copy):
    specs = function_specs(
        function_provider(load_stacks(sample_copy)).get_all(), sample_copy.parent, DDB_UNUSED
    )

    echo, sleep = specs["EchoFunction"], specs["SleepFunction"]
    assert echo.handler == "app.echo"
    assert echo.code_dir == sample_copy.parent / "fn"
    assert echo.layer_dirs == (sample_copy.parent / "layer",)
    assert (echo.timeout_s, echo.memory_mb) == (3.0, 256)
    assert sleep.timeout_s == 2.0  # the function's own Timeout beats Globals
    assert echo.environment["TABLE"] == "ThingsTable"
    assert echo.environment["AWS_ENDPOINT_URL_DYNAMODB"] == DDB_UNUSED
    assert "OWN" not in sleep.environment


def test_handler_result_is_returned_as_json(runtime):
    reply = runtime.invoke_function("EchoFunction", proxy_event())

    assert not reply.is_error
    assert json.loads(reply.body)["statusCode"] == 200


def test_prewarming_starts_one_worker_per_function_that_the_first_call_then_uses(runtime):
    runtime.prewarm()
    warm = {name: runtime.pool(name).size for name in ("EchoFunction", "SleepFunction")}

    reply = runtime.invoke_function("EchoFunction", proxy_event())

    assert warm == {"EchoFunction": 1, "SleepFunction": 1}
    assert not reply.is_error
    assert runtime.pool("EchoFunction").size == 1  # the warm worker served it: no second import
    runtime.prewarm()  # again: every pool has its worker already
    assert runtime.pool("EchoFunction").size == 1


def test_exception_becomes_a_lambda_error_document(runtime):
    reply = runtime.invoke_function("BoomFunction", proxy_event("/boom"))

    error = json.loads(reply.body)
    assert reply.is_error
    assert reply.worker_usable
    assert error["errorType"] == "RuntimeError"
    assert error["errorMessage"] == "sample failure"
    assert set(error) == {"errorMessage", "errorType", "requestId", "stackTrace"}


def test_import_error_is_reported_on_invocation(runtime):
    reply = runtime.invoke_function("BrokenImportFunction", proxy_event("/broken"))

    assert json.loads(reply.body)["errorType"] == "Runtime.ImportModuleError"


def test_a_worker_that_exits_is_replaced(runtime):
    # When the handler kills its process
    reply = runtime.invoke_function("CrashFunction", {})

    # Then the invocation fails like Lambda's, and the pool forgets the dead worker
    error = json.loads(reply.body)
    assert error["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in error["errorMessage"]
    assert runtime.pool("CrashFunction").size == 0


def test_the_timeout_starts_once_the_handler_is_imported(runtime):
    # Given SlowStartFunction: its module takes 1.5 s to import, its Timeout is 1 s
    # When its first invocation starts a worker
    reply = runtime.invoke_function("SlowStartFunction", {})

    # Then the import (the init phase, which has its own budget on AWS) did not eat the timeout
    assert not reply.is_error, reply.body
    assert json.loads(json.loads(reply.body)["body"])["remaining_ms"] > 0


def test_unknown_function_raises_sams_function_not_found(runtime):
    with pytest.raises(FunctionNotFound):
        runtime.invoke_function("NoSuchFunction", {})


def test_editing_the_code_replaces_warm_workers(runtime, sample_copy):
    def echo() -> dict:
        return json.loads(json.loads(runtime.invoke_function("EchoFunction", proxy_event()).body)["body"])

    # Given a warm worker
    first = echo()
    assert first["version"] == "v1"

    # When the code changes on disk
    app = sample_copy.parent / "fn" / "app.py"
    app.write_text(app.read_text().replace('VERSION = "v1"', 'VERSION = "v2"'))

    # Then, once the OS has told the watch (WAIT bounds it; it takes milliseconds), the function
    # runs the new code, in a new process
    assert wait_until(lambda: echo()["version"] == "v2", timeout=WAIT)
    assert echo()["pid"] != first["pid"]


def test_the_code_is_watched_per_top_level_folder_not_per_function(tmp_path):
    code = [tmp_path / "functions" / "a", tmp_path / "functions" / "b", tmp_path / "layers" / "core"]

    roots = watched_roots([*code, tmp_path, tmp_path.parent / "elsewhere"], tmp_path)

    assert roots == {tmp_path / "functions", tmp_path / "layers", tmp_path, tmp_path.parent / "elsewhere"}


@pytest.mark.parametrize(
    ("shell", "key"), [({}, LOCAL_PAGE_TOKEN_SECRET), ({"PAGE_TOKEN_SECRET": "mine"}, "mine")]
)
def test_the_listings_get_a_local_page_token_key_instead_of_the_secret(shell, key):
    # Given the real template, whose listings read their key from Secrets Manager in AWS
    functions = function_provider(load_stacks(TEMPLATE)).get_all()

    # When the local runner builds their environment
    specs = function_specs(functions, TEMPLATE.parent, DDB_UNUSED, shell)

    # Then they sign with a local key (the shell's, if it sets one), and no other function has one
    paging = {name for name, spec in specs.items() if spec.environment.get("PAGE_TOKEN_SECRET")}
    assert paging == {"ListEventsFunction", "ListEventRegistrationsFunction", "ListUserRegistrationsFunction"}
    assert all(specs[name].environment["PAGE_TOKEN_SECRET"] == key for name in paging)
    assert all(specs[name].environment["PAGE_TOKEN_SECRET_ARN"] == "" for name in paging)
