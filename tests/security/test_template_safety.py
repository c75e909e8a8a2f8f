"""Throttling, data safety and observability, as the template deploys them."""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

import pytest

from tests.security.rendering import ROOT, deployed, resources_of_type, template

DATA_TABLES = ("EventsTable", "UsersTable", "RegistrationsTable")
TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms"


def functions(rendered: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return resources_of_type(rendered, "AWS::Lambda::Function")


def stage(rendered: dict[str, Any]) -> dict[str, Any]:
    (found,) = resources_of_type(rendered, "AWS::ApiGateway::Stage").values()
    return found["Properties"]


# ---------------------------------------------------------------- throttling


def test_stage_throttling_comes_from_the_parameters():
    rendered = deployed({"ThrottlingRateLimit": "42", "ThrottlingBurstLimit": "84"})
    (settings,) = stage(rendered)["MethodSettings"]
    assert (settings["ThrottlingRateLimit"], settings["ThrottlingBurstLimit"]) == ("42", "84")


def test_reserved_concurrency_is_off_by_default_and_applies_to_every_function_when_set():
    assert all("ReservedConcurrentExecutions" not in f["Properties"] for f in functions(deployed()).values())
    reserved = functions(deployed({"ReservedConcurrency": "5"}))
    assert {f["Properties"]["ReservedConcurrentExecutions"] for f in reserved.values()} == {"5"}


# ---------------------------------------------------------------- data safety


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_business_tables_are_retained_recoverable_encrypted_and_protected_in_prod(environment: str):
    rendered = deployed({"Environment": environment})
    for name in DATA_TABLES:
        table = rendered["Resources"][name]
        properties = table["Properties"]
        assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Retain", "Retain"), name
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert properties["SSESpecification"] == {"SSEEnabled": True}, name
        assert properties["DeletionProtectionEnabled"] is (environment == "prod"), name


def test_the_prod_configuration_deploys_the_prod_environment():
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    overrides = config["prod"]["deploy"]["parameters"]["parameter_overrides"]
    assert 'Environment="prod"' in overrides
    assert "Environment" not in config["default"]["deploy"]["parameters"]["parameter_overrides"]


# ---------------------------------------------------------------- observability


def access_log_format() -> dict[str, Any]:
    text = stage(deployed())["AccessLogSetting"]["Format"]
    # $context.status is a number; the rest are quoted. Substitute a sample value for each.
    sample = re.sub(r"\$context\.status", "200", text)
    return json.loads(re.sub(r"\$context\.[\w.]+", "x", sample))


def test_access_logs_are_json_lines_with_the_request_id():
    setting = stage(deployed())["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert '"requestId":"$context.requestId"' in setting["Format"]
    fields = access_log_format()
    assert {"requestId", "status", "resource", "integrationStatus", "responseType", "apiId"} <= set(fields)
    log_group = deployed()["Resources"]["ApiAccessLogGroup"]["Properties"]
    assert log_group["RetentionInDays"] == "90"


def test_the_metric_filters_read_fields_the_access_log_writes():
    fields = set(access_log_format())
    filters = resources_of_type(deployed(), "AWS::Logs::MetricFilter")
    assert filters
    for name, metric_filter in filters.items():
        properties = metric_filter["Properties"]
        assert properties["LogGroupName"] == {"Ref": "ApiAccessLogGroup"}, name
        used = set(re.findall(r"\$\.(\w+)", properties["FilterPattern"]))
        for transformation in properties["MetricTransformations"]:
            used |= {d["Value"].removeprefix("$.") for d in transformation.get("Dimensions", [])}
        assert used <= fields, f"{name} reads {sorted(used - fields)}, which the access log lacks"


def alarms(rendered: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: a["Properties"] for name, a in resources_of_type(rendered, "AWS::CloudWatch::Alarm").items()
    }


def test_alarms_watch_5xx_rate_throttling_and_function_failures():
    found = alarms(deployed())
    server_errors = found["ServerErrorRateAlarm"]
    watched = {m["MetricStat"]["Metric"]["MetricName"] for m in server_errors["Metrics"] if "MetricStat" in m}
    assert watched == {"5XXError", "Count"}
    assert [m["Expression"] for m in server_errors["Metrics"] if m.get("ReturnData")] == [
        "IF(requests >= 20, 100 * errors / requests, 0)"
    ]
    metric_names = {
        t["MetricName"]
        for f in resources_of_type(deployed(), "AWS::Logs::MetricFilter").values()
        for t in f["Properties"]["MetricTransformations"]
    }
    assert {
        found["ThrottlingAlarm"]["MetricName"],
        found["FunctionFailuresAlarm"]["MetricName"],
    } <= metric_names


def test_alarms_notify_the_topic_only_when_one_is_given():
    assert all("AlarmActions" not in a and "OKActions" not in a for a in alarms(deployed()).values())
    for alarm in alarms(deployed({"AlarmTopicArn": TOPIC})).values():
        assert (alarm["AlarmActions"], alarm["OKActions"]) == ([TOPIC], [TOPIC])


def test_tracing_is_on_for_the_api_and_every_function():
    rendered = deployed()
    assert stage(rendered)["TracingEnabled"] is True
    assert all(f["Properties"]["TracingConfig"] == {"Mode": "Active"} for f in functions(rendered).values())


def test_logs_carry_the_api_gateway_request_id_as_correlation_id():
    http = (ROOT / "layers/event_core/event_core/edge/http.py").read_text()
    assert "correlation_id_path=correlation_paths.API_GATEWAY_REST" in http


def test_api_gateway_errors_use_the_apis_shape_and_5xx_name_the_request():
    body = deployed()["Resources"]["EventsApi"]["Properties"]["Body"]
    responses = body["x-amazon-apigateway-gateway-responses"]
    assert json.loads(responses["DEFAULT_5XX"]["responseTemplates"]["application/json"]) == {
        "detail": "Internal server error",
        "requestId": "$context.requestId",
    }
    assert responses["DEFAULT_4XX"]["responseTemplates"]["application/json"] == (
        '{"detail": $context.error.messageString}'
    )
    assert json.loads(responses["ACCESS_DENIED"]["responseTemplates"]["application/json"]) == {
        "detail": "Forbidden"
    }


def test_the_business_metrics_namespace_is_set_for_every_function():
    variables = template()["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["POWERTOOLS_METRICS_NAMESPACE"]


# ---------------------------------------------------------------- the page token key

LISTING_FUNCTIONS = {"ListEventsFunction", "ListEventRegistrationsFunction", "ListUserRegistrationsFunction"}
GIVEN_KEY = "k" * 40


def test_the_page_token_key_has_no_public_default():
    parameter = template()["Parameters"]["PageTokenSecret"]
    assert (parameter["Default"], parameter["NoEcho"]) == ("", True)
    allowed = re.compile(parameter["AllowedPattern"])
    assert allowed.fullmatch("")
    assert allowed.fullmatch(GIVEN_KEY)
    assert not allowed.fullmatch("change-me-in-production")  # too short to be a key


def test_each_stack_generates_its_page_token_key_unless_one_is_given():
    generated = deployed()["Resources"]["PageTokenSecretStore"]["Properties"]
    given = deployed({"PageTokenSecret": GIVEN_KEY})["Resources"]["PageTokenSecretStore"]["Properties"]

    assert "SecretString" not in generated
    assert generated["GenerateSecretString"]["PasswordLength"] >= 32
    assert (given["SecretString"], "GenerateSecretString" in given) == (GIVEN_KEY, False)


@pytest.mark.parametrize("overrides", [{}, {"PageTokenSecret": GIVEN_KEY}], ids=["generated", "given"])
def test_only_the_listings_know_where_the_key_is_and_no_function_holds_it(overrides: dict[str, str]):
    variables = {
        name: function["Properties"].get("Environment", {}).get("Variables", {})
        for name, function in functions(deployed(overrides)).items()
    }

    with_secret = {name for name, values in variables.items() if "PAGE_TOKEN_SECRET_ARN" in values}
    assert with_secret == LISTING_FUNCTIONS
    assert all(
        variables[name]["PAGE_TOKEN_SECRET_ARN"] == {"Ref": "PageTokenSecretStore"} for name in with_secret
    )
    assert all(values.get("PAGE_TOKEN_SECRET", "") == "" for values in variables.values())
    assert GIVEN_KEY not in json.dumps(variables)


def test_no_samconfig_environment_sets_the_page_token_key():
    # A key in samconfig.toml would be in the repository; without one each stack generates its own.
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    for environment in ("default", "prod"):
        assert "PageTokenSecret" not in config[environment]["deploy"]["parameters"]["parameter_overrides"]
