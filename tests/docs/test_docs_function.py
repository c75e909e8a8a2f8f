"""The docs function: the document, the Swagger UI page and its assets, under any stage prefix."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import openapi_doc
import pytest
import requests
from aws_lambda_powertools.event_handler.openapi import swagger_ui
from openapi_spec_validator import validate

from event_core.settings import get_settings
from local_api.identity import protected_routes
from local_api.lambda_context import LambdaContext
from local_api.samples import load_sample
from tests.support.environment import use_function_environment
from tests.support.lambda_runner import load_function

SWAGGER_UI = Path(swagger_ui.__file__).parent
ASSETS = {
    "/docs/swagger-ui.js": ("swagger-ui-bundle.min.js", "text/javascript; charset=utf-8"),
    "/docs/swagger-ui.css": ("swagger-ui.min.css", "text/css; charset=utf-8"),
}


# What the document served in each AuthMode asks for: scheme name -> (type, header). The names
# are template.yaml's securityDefinitions'. COGNITO: the raw ID token in Authorization (an apiKey
# scheme: Swagger UI sends what was pasted; an http bearer scheme would prefix "Bearer ").
SCHEMES = {
    "NONE": {},
    "API_KEY": {"api_key": ("apiKey", "x-api-key")},
    "IAM": {"AWS_IAM": ("apiKey", "Authorization")},
    "COGNITO": {"CognitoAuthorizer": ("apiKey", "Authorization")},
}


@pytest.fixture
def function_env(monkeypatch: pytest.MonkeyPatch) -> None:
    use_function_environment(monkeypatch)


@pytest.fixture
def auth_mode(function_env: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Sets the functions' AUTH_MODE, as the template's AuthMode parameter does."""

    def set_mode(mode: str) -> None:
        monkeypatch.setenv("AUTH_MODE", mode)
        get_settings.cache_clear()

    yield set_mode
    monkeypatch.delenv("AUTH_MODE", raising=False)
    get_settings.cache_clear()


def call(path: str, stage_prefix: str = "/dev") -> dict[str, Any]:
    """The docs function's proxy answer to events/docs.json sent to `path` under `stage_prefix`."""
    event = load_sample("docs")
    event["resource"] = event["path"] = event["requestContext"]["resourcePath"] = path
    event["requestContext"]["path"] = f"{stage_prefix}{path}"
    handler = load_function("docs").lambda_handler
    answer: dict[str, Any] = handler(event, LambdaContext("docs", "req-docs"))
    # the REST resolver answers multiValueHeaders; one value each here
    answer["headers"] = {name: ",".join(values) for name, values in answer["multiValueHeaders"].items()}
    return answer


@pytest.mark.usefixtures("function_env")
@pytest.mark.parametrize(("prefix", "server"), [("/dev", "/dev"), ("", "/")])
def test_document_names_the_stage_it_was_requested_under_as_its_server(prefix, server):
    answer = call("/openapi.json", prefix)

    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == "application/json"
    served = json.loads(answer["body"])
    assert served == {**json.loads(openapi_doc.DOCUMENT.read_text()), "servers": [{"url": server}]}


@pytest.mark.parametrize("mode", sorted(SCHEMES))
def test_document_asks_for_the_credential_of_the_deployed_auth_mode_where_the_api_does(auth_mode, mode):
    # Given the functions run with the mode the stack was deployed with
    auth_mode(mode)

    # When the docs function serves the document
    served = json.loads(call("/openapi.json")["body"])

    # Then it is valid, declares that mode's scheme (none for NONE) and requires it by default
    validate(served)
    schemes = served.get("components", {}).get("securitySchemes", {})
    assert {name: (scheme["type"], scheme["name"]) for name, scheme in schemes.items()} == SCHEMES[mode]
    assert all(scheme["in"] == "header" and scheme["description"].strip() for scheme in schemes.values())
    assert served.get("security", []) == [{name: []} for name in SCHEMES[mode]]
    # And every operation needs it exactly where API Gateway does (template.yaml's guarded
    # methods), so GET /health stays open in every mode
    guarded = protected_routes(openapi_doc.TEMPLATE)
    for path, item in served["paths"].items():
        for method, operation in item.items():
            effective = operation.get("security", served.get("security", []))
            expected = served.get("security", []) if (path, method.upper()) in guarded else []
            assert effective == expected, f"{method.upper()} {path}"
    assert served["paths"]["/health"]["get"]["security"] == []
    # And apart from security, it is the committed document
    assert {
        key: value for key, value in served.items() if key not in ("security", "components", "servers")
    } == {key: value for key, value in committed_document().items() if key not in ("components", "servers")}
    assert served["components"]["schemas"] == committed_document()["components"]["schemas"]


def test_iam_scheme_says_swagger_ui_cannot_sign(auth_mode):
    auth_mode("IAM")
    (scheme,) = json.loads(call("/openapi.json")["body"])["components"]["securitySchemes"].values()
    assert scheme["x-amazon-apigateway-authtype"] == "awsSigv4"
    assert "cannot sign" in scheme["description"]


def committed_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(openapi_doc.DOCUMENT.read_text())
    return document


@pytest.mark.usefixtures("function_env")
def test_page_loads_its_assets_and_the_document_under_the_stage_prefix():
    answer = call("/docs", "/prod")

    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == "text/html; charset=utf-8"
    page = answer["body"]
    assert sorted(re.findall(r'(?:src|href)="([^"]+)"', page)) == [
        "/prod/docs/swagger-ui.css",
        "/prod/docs/swagger-ui.js",
    ]
    assert 'url: "/prod/openapi.json"' in page
    assert "<title>Event Management API " in page


@pytest.mark.usefixtures("function_env")
@pytest.mark.parametrize("path", sorted(ASSETS))
def test_assets_are_powertools_swagger_ui_files_cached_for_a_day(path):
    file_name, content_type = ASSETS[path]
    answer = call(path)

    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == content_type
    assert answer["headers"]["Cache-Control"] == "public, max-age=86400"
    assert answer["body"] == (SWAGGER_UI / file_name).read_text()


def test_local_server_serves_the_page_and_its_assets(api_url):
    page = requests.get(f"{api_url}/docs", timeout=30)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sorted(urls) == sorted(ASSETS)  # no CDN: everything comes from the API
    for url in urls:
        asset = requests.get(f"{api_url}{url}", timeout=30)
        assert asset.status_code == 200
        assert asset.content == (SWAGGER_UI / ASSETS[url][0]).read_bytes()
