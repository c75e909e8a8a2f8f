"""Functions run in warm worker processes, like `sam local start-api --warm-containers LAZY`:
one invocation per process at a time, concurrent requests in separate processes."""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

pytestmark = [pytest.mark.integration, pytest.mark.http]

TIMEOUT = 30


def get(server, path: str, **params: str) -> requests.Response:
    return requests.get(f"{server.url}{path}", params=params, timeout=TIMEOUT)


def test_function_gets_template_environment_layer_and_context(sample_server, ddb_endpoint):
    # When
    response = get(sample_server, "/echo", name="x")

    # Then
    assert response.status_code == 200
    body = response.json()
    aws_variables = ("AWS_ENDPOINT_URL_EVENTBRIDGE", "AWS_ENDPOINT_URL_SCHEDULER")
    endpoints = {body["env"].pop(name) for name in aws_variables}
    assert len(endpoints) == 1  # EventBridge and Scheduler: the server's one moto server
    assert endpoints.pop().startswith("http://127.0.0.1:")
    assert body["env"] == {
        "TABLE": "ThingsTable",  # !Ref of a table -> its logical id
        "GREETING": "hello",  # !Ref of a parameter -> its default
        "OWN": "mine",  # the function's own variables join the Globals
        "DYNAMODB_ENDPOINT": ddb_endpoint,
        "AWS_LAMBDA_FUNCTION_NAME": "EchoFunction",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "local",
        "POWERTOOLS_TRACE_DISABLED": "true",
        # !GetAtt of a function -> its local ARN, which the schedules created locally target too
        "REMEMBER_ARN": "arn:aws:lambda:us-east-1:123456789012:function:RememberFunction",
        "SCHEDULE_GROUP": "SampleScheduleGroup",  # !Ref of a schedule group -> its logical id
    }
    assert body["layer_value"] == "from-the-layer"
    assert body["sys_path_head"][0].endswith("/fn")
    assert body["sys_path_head"][1].endswith("/layer")
    assert body["cwd"] == body["sys_path_head"][0]
    # then only the interpreter's own directories, not the server's (tools/, its PYTHONPATH)
    interpreter = (sys.prefix, sys.base_prefix)
    assert body["sys_path_rest"]
    assert all(path.startswith(interpreter) for path in body["sys_path_rest"]), body["sys_path_rest"]
    assert body["path"] == "/echo"
    assert body["query"] == {"name": "x"}
    context = body["context"]
    assert context["function_name"] == "EchoFunction"
    assert context["memory_limit_in_mb"] == 256
    assert context["invoked_function_arn"].endswith(":function:EchoFunction")
    assert context["aws_request_id"]
    assert 0 < context["remaining_ms"] <= 3000


def test_handler_output_goes_to_the_log_not_the_response(sample_server):
    response = get(sample_server, "/echo")

    assert response.status_code == 200
    response.json()  # the body is intact JSON
    assert sample_server.logged("sample-app log line on stdout")
    assert sample_server.logged("sample-app log line on stderr")


def test_sequential_requests_reuse_a_warm_worker(sample_server):
    first = get(sample_server, "/sleep", seconds="0")
    second = get(sample_server, "/sleep", seconds="0")

    assert first.json()["pid"] == second.json()["pid"]


def test_concurrent_requests_run_in_parallel_in_separate_processes(sample_server, sample_max_workers):
    # Given as many simultaneous requests as the pool allows, each taking 1 s
    requests_in_flight = sample_max_workers

    # When
    with ThreadPoolExecutor(requests_in_flight) as pool:
        responses = list(
            pool.map(lambda _: get(sample_server, "/sleep", seconds="1"), range(requests_in_flight))
        )

    # Then every request had its own process, and they overlapped in time: each one started
    # before any of them finished (the handlers' own clocks, however busy the machine)
    assert [r.status_code for r in responses] == [200] * requests_in_flight
    bodies = [r.json() for r in responses]
    assert len({body["pid"] for body in bodies}) == requests_in_flight
    assert max(b["started"] for b in bodies) < min(b["finished"] for b in bodies)


def test_workers_per_function_never_exceed_the_maximum(sample_server, sample_max_workers):
    # When more requests arrive at once than the pool may have workers
    burst = sample_max_workers * 2
    with ThreadPoolExecutor(burst) as pool:
        responses = list(pool.map(lambda _: get(sample_server, "/sleep", seconds="0.3"), range(burst)))

    # Then all are served, by at most max workers
    assert all(r.status_code == 200 for r in responses)
    assert len({r.json()["pid"] for r in responses}) <= sample_max_workers


def test_unhandled_exception_answers_502_like_sam_local(sample_server):
    response = get(sample_server, "/boom")

    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}
    assert sample_server.logged("RuntimeError: sample failure")


def test_handler_that_cannot_be_imported_answers_502(sample_server):
    response = get(sample_server, "/broken")

    assert response.status_code == 502
    assert sample_server.logged("No module named 'missing_module'")


def test_timeout_answers_502_and_the_next_request_gets_a_fresh_worker(sample_server):
    # Given SleepFunction's Timeout of 2 s
    before = get(sample_server, "/sleep", seconds="0").json()["pid"]

    # When an invocation runs past it
    logged = len(sample_server.log())
    response = get(sample_server, "/sleep", seconds="10")

    # Then it is cut off at the timeout (Lambda's message, not the handler's 10 s), its worker
    # (the warmest, so `before`) killed
    assert response.status_code == 502
    assert sample_server.logged("Task timed out after 2.00 seconds", since=logged)
    assert not process_exists(before)
    after = get(sample_server, "/sleep", seconds="0")
    assert after.status_code == 200
    assert after.json()["pid"] != before


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
