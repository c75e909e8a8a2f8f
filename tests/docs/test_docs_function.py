"""The docs function: the document, the Swagger UI page and its assets, under any stage prefix."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import openapi_doc
import pytest
import requests
from aws_lambda_powertools.event_handler.openapi import swagger_ui

from tests.handlers.lambda_runner import LambdaContext, load_function, load_sample
from tests.unit.moto_tables import set_environment

SWAGGER_UI = Path(swagger_ui.__file__).parent
ASSETS = {
    "/docs/swagger-ui.js": ("swagger-ui-bundle.min.js", "text/javascript; charset=utf-8"),
    "/docs/swagger-ui.css": ("swagger-ui.min.css", "text/css; charset=utf-8"),
}


@pytest.fixture
def function_env(monkeypatch: pytest.MonkeyPatch) -> None:
    set_environment(monkeypatch)


def call(path: str, stage_prefix: str = "/dev") -> dict[str, Any]:
    """The docs function's proxy answer to events/docs.json sent to `path` under `stage_prefix`."""
    event = load_sample("docs")
    event["resource"] = event["path"] = event["requestContext"]["resourcePath"] = path
    event["requestContext"]["path"] = f"{stage_prefix}{path}"
    handler = load_function("docs").lambda_handler
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        answer: dict[str, Any] = handler(
            event, LambdaContext(function_name="docs", aws_request_id="req-docs")
        )
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
