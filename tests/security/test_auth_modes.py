"""AuthMode: every mode renders a valid template, and each guards exactly the routes it should.

What `sam validate --lint` runs (cfn-lint, in this process) lints template.yaml with the mode as
its AuthMode default (the transform and cfn-lint then see that mode's values); the rendering
checks look at what a stack deployed with the mode contains (tests/security/rendering.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint

from tests.security.rendering import TEMPLATE, deployed, resources_of_type, template
from tests.support.template_routes import api_routes

MODES = ("NONE", "API_KEY", "IAM", "COGNITO")
POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Example"
# Open in every mode: the liveness probe, and the API's documentation (a browser reads it), each
# for GET and for HEAD (which is guarded exactly when its GET is).
PUBLIC_PATHS = ("/health", "/openapi.json", "/docs", "/docs/swagger-ui.js", "/docs/swagger-ui.css")
PUBLIC_ROUTES = frozenset((path, method) for path in PUBLIC_PATHS for method in ("GET", "HEAD"))
REQUIREMENT: dict[str, list[dict[str, list[str]]]] = {
    "API_KEY": [{"api_key": []}],
    "IAM": [{"AWS_IAM": []}],
    "COGNITO": [{"CognitoAuthorizer": []}],
}


def parameters(mode: str) -> dict[str, str]:
    return {"AuthMode": mode, "CognitoUserPoolArn": POOL_ARN if mode == "COGNITO" else ""}


def function_routes() -> set[tuple[str, str]]:
    return set(api_routes())


def api_body(mode: str) -> dict[str, Any]:
    return deployed(parameters(mode))["Resources"]["EventsApi"]["Properties"]["Body"]


def methods(body: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (path, method.upper()): spec
        for path, operations in body["paths"].items()
        for method, spec in operations.items()
    }


def with_default(text: str, parameter: str, value: str) -> str:
    """The template text with one parameter's Default replaced."""
    pattern = re.compile(rf"(^  {parameter}:\n(?:    .*\n)*?    Default: ).*$", re.MULTILINE)
    changed, count = pattern.subn(lambda m: f'{m.group(1)}"{value}"', text)
    assert count == 1, f"no Default for {parameter}"
    return changed


@pytest.mark.parametrize("mode", MODES)
def test_sam_validate_lint_passes_with_each_auth_mode(mode: str):
    # Given the template with the mode as the AuthMode default (and a user pool for COGNITO)
    text = with_default(TEMPLATE.read_text(), "AuthMode", mode)
    text = with_default(text, "CognitoUserPoolArn", parameters(mode)["CognitoUserPoolArn"])

    # When it is linted as `sam validate --lint` does (cfn-lint's API, the SAM transform included),
    # in this process rather than a sam process a mode
    findings = lint(text, config=ManualArgs(regions=["us-east-1"]))

    # Then it is valid and lint-clean
    assert [str(finding) for finding in findings] == []


@pytest.mark.parametrize("mode", MODES)
def test_each_guarded_route_carries_the_modes_requirement_and_nothing_else_does(mode: str):
    body_methods = methods(api_body(mode))
    guarded = function_routes() - PUBLIC_ROUTES
    for route, spec in body_methods.items():
        if route in guarded:
            assert spec.get("security") == REQUIREMENT.get(mode), route
        else:  # public routes and CORS preflights (OPTIONS) never need credentials
            assert "security" not in spec, route
    assert guarded <= set(body_methods)


def test_every_route_is_either_guarded_or_deliberately_public():
    # The API's document lists the guarded methods; a new route is open until listed there.
    listed = {route for route, spec in methods(api_body("COGNITO")).items() if "security" in spec}
    unlisted = function_routes() - listed - PUBLIC_ROUTES
    assert not unlisted, (
        f"routes open in every AuthMode: {sorted(unlisted)}. Add them to EventsApi's DefinitionBody"
        " paths (with the security line) or, if they must stay open, to PUBLIC_ROUTES"
    )
    assert listed <= function_routes(), (
        f"guarded routes no function serves: {sorted(listed - function_routes())}"
    )


def test_none_is_the_default_and_open():
    assert template()["Parameters"]["AuthMode"]["Default"] == "NONE"
    rendered = deployed()
    body = rendered["Resources"]["EventsApi"]["Properties"]["Body"]
    assert all("security" not in spec for spec in methods(body).values())
    assert "CognitoAuthorizer" not in body["securityDefinitions"]
    assert not resources_of_type(rendered, "AWS::ApiGateway::UsagePlan")


def test_api_key_mode_has_a_usage_plan_with_the_parameters_limits():
    rendered = deployed(
        {
            "AuthMode": "API_KEY",
            "ApiKeyRateLimit": "5",
            "ApiKeyBurstLimit": "7",
            "ApiKeyQuotaLimit": "1000",
            "ApiKeyQuotaPeriod": "WEEK",
        }
    )
    (plan,) = resources_of_type(rendered, "AWS::ApiGateway::UsagePlan").values()
    assert plan["Properties"]["Throttle"] == {"RateLimit": "5", "BurstLimit": "7"}
    assert plan["Properties"]["Quota"] == {"Limit": "1000", "Period": "WEEK"}
    assert plan["Properties"]["ApiStages"][0]["ApiId"] == {"Ref": "EventsApi"}
    (key,) = resources_of_type(rendered, "AWS::ApiGateway::ApiKey")
    (binding,) = resources_of_type(rendered, "AWS::ApiGateway::UsagePlanKey").values()
    assert binding["Properties"]["KeyId"] == {"Ref": key}
    assert "ClientApiKeyId" in rendered["Outputs"]
    assert rendered["Resources"]["EventsApi"]["Properties"].get("ApiKeySourceType", "HEADER") == "HEADER"


def test_iam_mode_signs_with_sigv4():
    body = api_body("IAM")
    assert body["securityDefinitions"]["AWS_IAM"]["x-amazon-apigateway-authtype"] == "awsSigv4"


def test_cognito_mode_uses_the_pools_authorizer_and_tells_the_functions():
    rendered = deployed({**parameters("COGNITO"), "OrganizerGroup": "event-admins"})
    body = rendered["Resources"]["EventsApi"]["Properties"]["Body"]
    authorizer = body["securityDefinitions"]["CognitoAuthorizer"]
    assert authorizer["x-amazon-apigateway-authtype"] == "cognito_user_pools"
    assert authorizer["x-amazon-apigateway-authorizer"] == {
        "type": "cognito_user_pools",
        "providerARNs": [POOL_ARN],
    }
    for function in resources_of_type(rendered, "AWS::Lambda::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert (variables["AUTH_MODE"], variables["ORGANIZER_GROUP"]) == ("COGNITO", "event-admins")


def test_cognito_mode_requires_a_user_pool():
    rule = template()["Rules"]["CognitoNeedsUserPool"]
    assert rule["RuleCondition"] == {"Fn::Equals": [{"Ref": "AuthMode"}, "COGNITO"]}
    assert rule["Assertions"][0]["Assert"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "CognitoUserPoolArn"}, ""]}]
    }


def test_a_changed_auth_mode_reaches_the_stage():
    # The deployment's logical id hashes the unresolved document; AlwaysDeploy redeploys anyway.
    assert template()["Resources"]["EventsApi"]["Properties"]["AlwaysDeploy"] is True
