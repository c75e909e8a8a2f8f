"""`make openapi`: the whole API's OpenAPI document, merged from every function's own routes.

With one function per route no single resolver knows the API, so Powertools' `OpenAPIMerge`
imports the handler of every function with an Api event in template.yaml and merges the schemas
their resolvers generate from the route decorators and pydantic models. Nothing in the document
is written by hand; this only adds the API's title, version, description and tag descriptions,
and drops component schemas that no operation refers to (Powertools' stock validation-error
schemas, replaced by ours) and the titles pydantic and Powertools generate below the components
(see `without_generated_titles`). Operations the template leaves open in every AuthMode (GET
/health) say so with an empty `security`: the docs function adds the deployed AuthMode's
security scheme as the document's default (`event_core.edge.api_docs.secured`), which this overrides.

The document goes to functions/docs/openapi.json: committed, shipped in the docs function's
package and served as GET /openapi.json. `--check` only says whether that file is current.

    PYTHONPATH=layers/event_core:tools python -m openapi_doc [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from aws_lambda_powertools.event_handler.openapi.models import Tag
from samcli.yamlhelper import yaml_parse

from event_core import __version__
from local_api.identity import protected_routes

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
DOCUMENT = ROOT / "functions" / "docs" / "openapi.json"
RESOLVER_NAME = "app"

TITLE = "Event Management API"
DESCRIPTION = (
    "Events with a hard capacity limit, users, and registrations with a first-come-first-served "
    'waitlist. Errors answer `{"detail": "<message>"}`; request validation errors answer 422 '
    'with `{"detail": [{"loc", "msg", "type"}]}`. Lists page with `limit` and the opaque '
    "`nextToken` of the previous page."
)
TAGS = [
    Tag(name="Events", description="Create, read, update and delete events; turn the waitlist on or off"),
    Tag(name="Users", description="Create and read users"),
    Tag(name="Registrations", description="Register, leave, and list who is coming or waiting"),
    Tag(name="Meta", description="Name, version and health of the API"),
]


def handler_files(template: Path = TEMPLATE) -> list[Path]:
    """The handler module of every function that API Gateway invokes, per the template.

    Functions without an `Api` event (stream consumers, ...) are not part of the HTTP API; the
    docs function is, but its own routes are `include_in_schema=False`.
    """
    parsed = yaml_parse(template.read_text())
    default_handler = parsed.get("Globals", {}).get("Function", {}).get("Handler", "app.lambda_handler")
    files = []
    for resource in parsed["Resources"].values():
        properties = resource.get("Properties") or {}
        events = (properties.get("Events") or {}).values()
        if resource["Type"] != "AWS::Serverless::Function" or not any(e["Type"] == "Api" for e in events):
            continue
        module = properties.get("Handler", default_handler).rpartition(".")[0]
        files.append(ROOT / properties["CodeUri"] / f"{module.replace('.', '/')}.py")
    return sorted(files)


def build_document() -> dict[str, Any]:
    merge = OpenAPIMerge(
        title=TITLE,
        version=__version__,
        description=DESCRIPTION,
        tags=list(TAGS),
        on_conflict="error",
    )
    for path in handler_files():
        merge.add_file(path, resolver_name=RESOLVER_NAME)
    with warnings.catch_warnings():
        # A handler that fails to import would otherwise only be a warning and a missing route.
        warnings.filterwarnings("error", message="Failed to load")
        document: dict[str, Any] = json.loads(merge.get_openapi_json_schema())
    return open_operations_marked(without_generated_titles(without_unused_schemas(document)))


def open_operations_marked(document: dict[str, Any], template: Path = TEMPLATE) -> dict[str, Any]:
    """Every operation that the template guards in no AuthMode gets `security: []`: open."""
    guarded = protected_routes(template)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if (path, method.upper()) not in guarded:
                operation["security"] = []
    return document


def without_unused_schemas(document: dict[str, Any]) -> dict[str, Any]:
    """The document minus component schemas that nothing reachable from `paths` refers to."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    prefix = "#/components/schemas/"
    used: set[str] = set()
    pending = [document.get("paths", {})]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(prefix) and ref[len(prefix) :] not in used:
                used.add(ref[len(prefix) :])
                pending.append(schemas.get(ref[len(prefix) :], {}))
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    if schemas:
        document["components"]["schemas"] = {name: schemas[name] for name in schemas if name in used}
    return document


# JSON Schema keywords whose values are schemas: a title is looked for there, never in values
# such as `examples`, `default` or `enum` (an event's example has a "title").
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs")
_SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SUBSCHEMAS = ("items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else")


def subschemas(schema: Any, where: str) -> list[tuple[str, dict[str, Any]]]:
    """`schema` and every schema inside it, each with where it is, e.g. "Event.properties.date"."""
    if not isinstance(schema, dict):
        return []
    found = [(where, schema)]
    for keyword, value in schema.items():
        if keyword in _SUBSCHEMA_MAPS and isinstance(value, dict):
            for name, subschema in value.items():
                found += subschemas(subschema, f"{where}.{keyword}.{name}")
        elif keyword in _SUBSCHEMA_LISTS and isinstance(value, list):
            for index, subschema in enumerate(value):
                found += subschemas(subschema, f"{where}.{keyword}[{index}]")
        elif keyword in _SUBSCHEMAS:
            found += subschemas(value, f"{where}.{keyword}")
    return found


def document_schemas(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every schema of the document, each with where it is: the component schemas (at their
    names) and all inside them, then the operations' own (parameters, bodies, answers, headers)."""
    found = []
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        found += subschemas(schema, name)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            at = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                found += subschemas(parameter.get("schema"), f"{at} {parameter['in']} {parameter['name']}")
            answers = {"request": operation.get("requestBody", {}), **operation.get("responses", {})}
            for code, answer in answers.items():
                for media in answer.get("content", {}).values():
                    found += subschemas(media.get("schema"), f"{at} {code}")
                for header, spec in answer.get("headers", {}).items():
                    found += subschemas(spec.get("schema"), f"{at} {code} {header}")
    return found


def without_generated_titles(document: dict[str, Any]) -> dict[str, Any]:
    """The document without a `title` in any schema but a component schema's own (its model's name).

    Those titles restate a name, run together: pydantic titles a field `eventId` "Eventid", and
    Powertools a route's return type "Return". Without them Swagger UI shows each property and
    parameter by the name a client sends. Descriptions say what the fields are.
    """
    components = document.get("components", {}).get("schemas", {})
    for where, schema in document_schemas(document):
        if where not in components:
            schema.pop("title", None)
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="fail if the committed document is stale")
    args = parser.parse_args(argv)

    text = render(build_document())
    relative = DOCUMENT.relative_to(ROOT)
    if args.check:
        if not DOCUMENT.is_file() or DOCUMENT.read_text() != text:
            print(f"{relative} is stale: run `make openapi`", file=sys.stderr)
            return 1
        print(f"{relative} is up to date")
        return 0
    DOCUMENT.write_text(text)
    print(f"wrote {relative}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
