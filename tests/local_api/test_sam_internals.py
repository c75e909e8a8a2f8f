"""Guards for the SAM CLI internals local_api relies on (aws-sam-cli is pinned; when it is
upgraded, these say what moved). They check import paths and signatures, and drive
LocalApigwService in-process with a recording runner to pin the `lambda_runner` contract."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from flask import Flask
from samcli.lib.providers.api_provider import ApiProvider
from samcli.lib.providers.provider import Api, Cors
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider
from samcli.lib.utils.codeuri import resolve_code_path
from samcli.lib.utils.stream_writer import StreamWriter
from samcli.local.apigw.local_apigw_service import LocalApigwService
from samcli.local.apigw.route import Route
from samcli.local.lambdafn.env_vars import EnvironmentVariables
from samcli.local.lambdafn.exceptions import FunctionNotFound
from samcli.yamlhelper import yaml_parse
from werkzeug.serving import make_server

from local_api.runtime import LocalLambdaRuntime

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:sam")


def parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_sam_cli_version_is_the_pinned_one():
    from samcli import __version__

    assert __version__ == "1.170.0", "re-check these guards and local_api against the new SAM CLI"


def test_signatures_local_api_calls():
    assert parameters(LocalApigwService.__init__)[:7] == [
        "self",
        "api",
        "lambda_runner",
        "static_dir",
        "port",
        "host",
        "stderr",
    ]
    assert {"template_file", "parameter_overrides"} <= set(parameters(SamLocalStackProvider.get_stacks))
    assert {"stacks", "ignore_code_extraction_warnings"} <= set(parameters(SamFunctionProvider.__init__))
    assert {"stacks", "cwd"} <= set(parameters(ApiProvider.__init__))
    assert parameters(resolve_code_path) == ["cwd", "codeuri"]
    assert parameters(EnvironmentVariables.__init__)[:11] == [
        "self", "function_name", "function_memory", "function_timeout", "function_handler",
        "function_logging_config", "variables", "shell_env_values", "override_values",
        "aws_creds", "capacity_provider_configuration",
    ]  # fmt: skip
    assert callable(StreamWriter.write_str)
    assert callable(yaml_parse)
    assert issubclass(FunctionNotFound, Exception)


def test_our_runner_accepts_every_argument_of_sams_runner():
    from samcli.commands.local.lib.local_lambda import LocalLambdaRunner

    theirs = set(parameters(LocalLambdaRunner.invoke))
    ours = inspect.signature(LocalLambdaRuntime.invoke).parameters
    assert {"function_identifier", "event", "tenant_id", "stdout", "stderr"} <= set(ours)
    assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in ours.values()) or theirs <= set(ours)
    assert parameters(LocalLambdaRunner.is_debugging) == parameters(LocalLambdaRuntime.is_debugging)


def test_created_service_exposes_the_flask_app_and_address_we_serve():
    api = Api(routes=[Route(function_name="F", path="/", methods=["GET"])])
    service = LocalApigwService(api=api, lambda_runner=RecordingRunner(), port=1234, host="127.0.0.1")

    service.create()

    assert isinstance(service._app, Flask)
    assert (service.host, service.port) == ("127.0.0.1", 1234)
    assert parameters(make_server)[:4] == ["host", "port", "app", "threaded"]


def test_yaml_parse_reads_intrinsic_tags():
    parsed = yaml_parse("A: !Ref B\nC: !GetAtt D.Arn\n")

    assert parsed == {"A": {"Ref": "B"}, "C": {"Fn::GetAtt": ["D", "Arn"]}}


class RecordingRunner:
    """Stands where LocalLambdaRuntime stands, answering a fixed proxy response."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

    def is_debugging(self) -> bool:
        return False

    def invoke(self, function_identifier: str, event: str, **kwargs: Any) -> None:
        self.calls.append((function_identifier, json.loads(event), kwargs))
        answer = {"statusCode": 201, "headers": {"X-From": "runner"}, "body": '{"ok": true}'}
        kwargs["stdout"].write_str(json.dumps(answer))


@pytest.fixture
def service_client():
    api = Api(routes=[Route(function_name="ThingFunction", path="/things/{id}", methods=["POST", "OPTIONS"])])
    api.cors = Cors(allow_origin="*", allow_methods="POST,OPTIONS", allow_headers="Content-Type")
    runner = RecordingRunner()
    service = LocalApigwService(api=api, lambda_runner=runner, port=0, host="127.0.0.1")
    service.create()
    return service._app.test_client(), runner


def test_service_invokes_the_runner_with_a_proxy_event_and_uses_its_answer(service_client):
    client, runner = service_client

    response = client.post("/things/42?x=1", data='{"a": 1}', headers={"Content-Type": "application/json"})

    assert response.status_code == 201
    assert response.headers["X-From"] == "runner"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.get_json() == {"ok": True}
    [(name, event, kwargs)] = runner.calls
    assert name == "ThingFunction"
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"x": "1"}
    assert json.loads(event["body"]) == {"a": 1}
    assert event["httpMethod"] == "POST"
    assert set(kwargs) == {"stdout", "stderr", "tenant_id"}


def test_service_answers_preflight_itself(service_client):
    client, runner = service_client

    response = client.options("/things/42", headers={"Origin": "https://x.test"})

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Methods"] == "POST,OPTIONS"
    assert runner.calls == []


def test_service_maps_a_lambda_error_document_to_502(service_client):
    client, runner = service_client
    error = {"errorMessage": "x", "errorType": "E", "requestId": "r", "stackTrace": []}
    runner.invoke = lambda name, event, **kw: kw["stdout"].write_str(json.dumps(error))

    response = client.post("/things/1", data="{}")

    assert response.status_code == 502
