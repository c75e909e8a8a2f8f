"""The local API on the real template: routes, CORS preflight, API Gateway's unknown-route answer."""

from __future__ import annotations

import re

import pytest
import requests

from local_api.functions import load_stacks, template_parameters
from local_api.server import load_api
from tests.conftest import TEMPLATE
from tests.support.template_routes import api_routes

pytestmark = [pytest.mark.integration, pytest.mark.http]

TIMEOUT = 30


def test_health_answers_200(api_url):
    response = requests.get(f"{api_url}/health", timeout=TIMEOUT)

    assert response.status_code == 200
    assert response.json() == {"status": "healthy"}
    assert response.headers["Content-Type"].startswith("application/json")


def test_root_names_the_api(api_url):
    response = requests.get(f"{api_url}/", timeout=TIMEOUT)

    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Event Management API"
    assert body["version"]


def test_preflight_answers_with_the_template_cors_headers(api_url):
    response = requests.options(
        f"{api_url}/events",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type,Idempotency-Key",
        },
        timeout=TIMEOUT,
    )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"].split(",")
    allowed = response.headers["Access-Control-Allow-Headers"].split(",")
    assert {"Content-Type", "Idempotency-Key"} <= set(allowed)
    assert response.headers["Access-Control-Max-Age"] == "600"


def test_cors_headers_on_a_normal_response(api_url):
    response = requests.get(f"{api_url}/health", headers={"Origin": "https://x.test"}, timeout=TIMEOUT)

    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_unknown_route_answers_like_api_gateway(api_url):
    # API Gateway: MISSING_AUTHENTICATION_TOKEN, rendered by the template's DEFAULT_4XX response
    response = requests.get(f"{api_url}/no-such-route", timeout=TIMEOUT)

    assert response.status_code == 403
    assert response.json() == {"detail": "Missing Authentication Token"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("body", [b'{"userId": "\xff\xfe"}', b"\xc3\x28", b'{"name": "caf\xe9"}'])
def test_a_body_that_is_not_utf8_is_refused_with_a_400(api_url, body):
    response = requests.post(
        f"{api_url}/users", data=body, headers={"Content-Type": "application/json"}, timeout=TIMEOUT
    )

    assert (response.status_code, response.json()) == (400, {"detail": "Request body is not valid UTF-8"})


def test_a_utf8_body_still_reaches_the_function(api_url):
    body = '{"name": "Zoë"}'.encode()

    response = requests.post(
        f"{api_url}/users", data=body, headers={"Content-Type": "application/json"}, timeout=TIMEOUT
    )

    assert (response.status_code, response.json()["name"]) == (201, "Zoë")


def get_paths() -> list[str]:
    """Every GET route of the template, with unknown ids in its path parameters."""
    return sorted(re.sub(r"{\w+}", "nobody-knows", path) for path, method in api_routes() if method == "GET")


@pytest.mark.parametrize("path", get_paths())
def test_head_answers_like_get_without_a_body(api_url, path):
    get = requests.get(f"{api_url}{path}", timeout=TIMEOUT)
    head = requests.head(f"{api_url}{path}", timeout=TIMEOUT)

    assert head.status_code == get.status_code, head.text
    assert head.status_code < 500
    assert head.content == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]


def test_head_on_a_route_without_get_answers_like_an_unknown_route(api_url):
    response = requests.head(f"{api_url}/users", timeout=TIMEOUT)

    assert response.status_code == 403


def test_allowed_origins_reach_the_gateways_cors():
    # ALLOWED_ORIGINS is the template's AllowedOrigins parameter for the local gateway too
    parameters = template_parameters({"ALLOWED_ORIGINS": "https://app.example.com,https://b.example"})
    origins = parameters["AllowedOrigins"]
    api = load_api(load_stacks(TEMPLATE, parameters), TEMPLATE.parent, allowed_origins=origins)

    assert origins == "https://app.example.com,https://b.example"
    assert api.cors.allow_origin == "https://app.example.com"
    assert load_api(load_stacks(TEMPLATE, template_parameters({})), TEMPLATE.parent).cors.allow_origin == "*"
