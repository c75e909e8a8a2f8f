"""The OpenAPI document: generated, current, valid, complete, and served by the docs function."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import openapi_doc
import pytest
import requests
from openapi_spec_validator import validate
from pydantic import BaseModel
from samcli.yamlhelper import yaml_parse

from event_core import __version__
from event_core.edge import api_docs
from event_core.models import events, registrations, users
from tests.handlers.test_handler_samples import EXPECTED
from tests.support.template_routes import api_routes

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
DOCS_ROUTES = {
    ("/openapi.json", "get"),
    ("/docs", "get"),
    ("/docs/swagger-ui.js", "get"),
    ("/docs/swagger-ui.css", "get"),
}
ERROR_BODY = "#/components/schemas/ErrorBody"
VALIDATION_ERROR_BODY = "#/components/schemas/ValidationErrorBody"


@cache
def committed() -> dict[str, Any]:
    return json.loads(openapi_doc.DOCUMENT.read_text())


@cache
def uses_dynamodb() -> set[str]:
    """Function directory names whose template policies allow DynamoDB actions."""
    resources = yaml_parse(openapi_doc.TEMPLATE.read_text())["Resources"]
    return {
        resource["Properties"]["CodeUri"].strip("/").split("/")[-1]
        for resource in resources.values()
        if resource["Type"] == "AWS::Serverless::Function"
        and "dynamodb:" in json.dumps(resource["Properties"].get("Policies"))
    }


@cache
def template_routes() -> dict[tuple[str, str], str]:
    """(path, method) -> function directory name, for every Api event in template.yaml."""
    return {(path, method.lower()): name for (path, method), name in api_routes().items()}


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


OPERATIONS = operations(committed())
OPERATION_IDS = [f"{method.upper()} {path}" for path, method, _ in OPERATIONS]


def test_committed_document_is_what_make_openapi_generates():
    # When the document is generated from the handlers as they are now
    generated = openapi_doc.render(openapi_doc.build_document())

    # Then the committed file (which the docs function ships and serves) is identical
    assert openapi_doc.DOCUMENT.read_text() == generated, (
        "functions/docs/openapi.json is stale: run `make openapi`"
    )


def test_document_is_valid_openapi_3():
    document = committed()
    validate(document)
    assert document["openapi"].startswith("3.")
    assert document["info"] == {**document["info"], "title": "Event Management API", "version": __version__}


def test_document_lists_exactly_the_template_routes_except_the_docs_own():
    # HEAD is every GET without its body (RFC 9110; README "Routes"), not an operation of its own
    documented = {(path, method) for path, method, _ in OPERATIONS}
    assert documented == {route for route in template_routes() if route[1] != "head"} - DOCS_ROUTES


def test_operation_ids_are_unique():
    ids = [operation["operationId"] for _, _, operation in OPERATIONS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=OPERATION_IDS)
def test_operation_has_summary_tags_and_parameters(path, method, operation):
    declared_tags = {tag["name"] for tag in committed()["tags"]}
    assert operation["summary"].strip()
    assert operation["tags"]
    assert set(operation["tags"]) <= declared_tags
    path_params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
    assert path_params == set(re.findall(r"{(\w+)}", path))
    assert all("schema" in p for p in operation.get("parameters", []))


# PUTs whose path names the whole state they set (check-in: this attendee is in): no body.
BODILESS_PUTS = {"/events/{eventId}/registrations/{userId}/check-in"}
# Answers to an offer (offer mode): a POST on the person's registration, without a body.
ANSWER_ACTIONS = ("/accept", "/decline")


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=OPERATION_IDS)
def test_operation_documents_its_request_body_schema(path, method, operation):
    if method in ("post", "put") and path not in BODILESS_PUTS and not path.endswith(ANSWER_ACTIONS):
        body = operation["requestBody"]
        assert body["required"] is True
        assert body["content"]["application/json"]["schema"]["$ref"].startswith("#/components/schemas/")
    else:
        assert "requestBody" not in operation


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=OPERATION_IDS)
def test_operation_documents_its_success_and_error_answers(path, method, operation):
    responses = {int(code): answer for code, answer in operation["responses"].items()}
    success = sorted(code for code in responses if code < 400)

    # the success status is the one the function really answers its events/ sample with (or the
    # sample's answer is a documented refusal: nobody holds an offer in the seeded data); the
    # only other one is a 202 Accepted (a registration still queued) saying where to ask again
    sampled = EXPECTED[template_routes()[(path, method)]][0]
    assert success[0] == sampled if sampled < 400 else sampled in responses
    for code in success[1:]:
        assert code == 202
        assert {"Location", "Retry-After"} <= set(responses[code]["headers"])
    for code in success:
        assert responses[code]["content"]["application/json"]["schema"]
    # the answers any route, a route with a body, or a route using DynamoDB can give
    assert {422, 500} <= set(responses)
    if "requestBody" in operation:
        assert {413, 415} <= set(responses)
    if template_routes()[(path, method)] in uses_dynamodb():
        assert 503 in responses
    # every error has the API's error shape; 422 the FastAPI-like validation shape
    for code, answer in responses.items():
        if code < 400:
            continue
        assert answer["description"].strip()
        schema = answer["content"]["application/json"]["schema"]
        assert schema == {"$ref": VALIDATION_ERROR_BODY if code == 422 else ERROR_BODY}, code
    if 503 in responses:
        assert "Retry-After" in responses[503]["headers"]


def test_error_shapes_are_the_ones_the_api_answers():
    schemas = committed()["components"]["schemas"]
    assert schemas["ErrorBody"]["required"] == ["detail"]
    assert schemas["ErrorBody"]["properties"]["detail"]["type"] == "string"
    detail = schemas["ValidationErrorBody"]["properties"]["detail"]
    assert detail["items"] == {"$ref": "#/components/schemas/ValidationIssue"}
    assert set(schemas["ValidationIssue"]["required"]) == {"loc", "msg", "type"}
    assert "HTTPValidationError" not in schemas  # Powertools' stock shape, which the API never answers


def test_local_server_serves_the_document(api_url):
    # When a client fetches the document from the API
    reply = requests.get(f"{api_url}/openapi.json", timeout=30)

    # Then it is the committed document, valid, with the server the request came through
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    served = reply.json()
    validate(served)
    assert served == {**committed(), "servers": [{"url": "/"}]}


@cache
def models() -> dict[str, type[BaseModel]]:
    """The pydantic models of the API's bodies and answers, by name (a component schema's name)."""
    return {
        name: value
        for module in (events, registrations, users, api_docs)
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__
    }


def schema_validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A validator for `schema`, a schema of the document whose `$ref`s point into its components."""
    rooted = {**schema, "components": committed()["components"]}
    return jsonschema.Draft202012Validator(
        rooted, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


COMPONENTS = sorted(committed()["components"]["schemas"])
EXAMPLES = [
    (f"{where} example {index}", schema, example)
    for where, schema in openapi_doc.document_schemas(committed())
    for index, example in enumerate(schema.get("examples", []))
] + [
    # an answer's own examples (an error's details), which Swagger UI shows instead of its schema's
    (f"{method.upper()} {path} {code} example {name!r}", media["schema"], example["value"])
    for path, method, operation in OPERATIONS
    for code, answer in operation["responses"].items()
    for media in answer.get("content", {}).values()
    for name, example in media.get("examples", {}).items()
]


@pytest.mark.parametrize("name", COMPONENTS)
def test_every_body_and_answer_has_an_example(name: str):
    # Swagger UI shows a schema's first example as the request body to send and as each answer;
    # without one it generates values from the patterns (for our text fields: control-character
    # free gibberish)
    assert committed()["components"]["schemas"][name].get("examples"), f"{name}: no examples"


@pytest.mark.parametrize(("where", "schema", "example"), EXAMPLES, ids=[where for where, _, _ in EXAMPLES])
def test_every_example_is_valid_against_its_schema(where: str, schema: dict[str, Any], example: Any):
    errors = [error.message for error in schema_validator(schema).iter_errors(example)]
    assert errors == [], f"{where}: {errors}"


@pytest.mark.parametrize("name", COMPONENTS)
def test_every_example_of_a_model_is_accepted_by_the_model(name: str):
    # Then the model (strict for requests) reads each example as the API would read it, from JSON
    model = models()[name]
    for example in committed()["components"]["schemas"][name]["examples"]:
        model.model_validate_json(json.dumps(example))


def test_request_examples_are_the_readmes_try_it_values():
    schemas = committed()["components"]["schemas"]
    assert schemas["EventCreate"]["examples"][0]["eventId"] == "pycon-2027"
    assert schemas["RegistrationRequest"]["examples"][0] == {"userId": "ana"}
    assert schemas["EventUpdate"]["examples"][0] == {"capacity": 3}


def test_every_property_has_a_description():
    undescribed = [
        f"{where}.properties.{name}"
        for where, schema in openapi_doc.document_schemas(committed())
        for name, prop in schema.get("properties", {}).items()
        if not prop.get("description", "").strip()
        and not ("$ref" in prop and len(prop) == 1)  # described by the schema it refers to
    ]
    assert undescribed == []


def test_no_schema_but_a_components_own_has_a_title():
    # pydantic titles a field `eventId` "Eventid" and Powertools a return type "Return"; Swagger
    # UI shows the property or parameter name instead when there is no title
    document = committed()
    titled = [
        f"{where}: {schema['title']!r}"
        for where, schema in openapi_doc.document_schemas(document)
        if "title" in schema and where not in document["components"]["schemas"]
    ]
    assert titled == []
    for name, schema in document["components"]["schemas"].items():
        assert schema["title"] == name
