"""GET /docs in a real headless browser: Swagger UI renders every operation of the document.

The browser runs with every host name unresolvable except the local server's, so the page
rendering at all proves its script, stylesheet and document all come from the API itself.
Without chromium the test is skipped, unless TOOLCHAIN_REQUIRED=1 (`make test` sets it, after
`tools/bootstrap.sh --browser` made sure chromium is there).
"""

from __future__ import annotations

import html
import json
import os
import re
from typing import Any

import openapi_doc
import pytest

from tests.docs.browser import find_chromium, rendered_dom

# Swagger UI expands the operation named in the URL fragment (deepLinking), showing its answers.
EXPANDED_TAG, EXPANDED_OPERATION = "Registrations", "register"


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        message = "no chromium on PATH: `bash tools/bootstrap.sh --browser` installs it"
        if os.environ.get("TOOLCHAIN_REQUIRED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads(openapi_doc.DOCUMENT.read_text())


@pytest.fixture(scope="module")
def dom(chromium: str, api_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    profile = tmp_path_factory.mktemp("chromium-profile")
    return rendered_dom(chromium, f"{api_url}/docs#/{EXPANDED_TAG}/{EXPANDED_OPERATION}", profile)


def operation_blocks(dom: str) -> dict[str, str]:
    """Swagger UI's operation blocks by their element id, `operations-<tag>-<operationId>`."""
    starts = [(m.start(), m.group(1)) for m in re.finditer(r'id="(operations-(?!tag-)[^"]+)"', dom)]
    ends = [start for start, _ in starts[1:]] + [len(dom)]
    return {element_id: dom[start:end] for (start, element_id), end in zip(starts, ends, strict=True)}


def test_page_renders_the_api_title_and_version(dom: str, document: dict[str, Any]):
    info = document["info"]
    assert re.search(rf'class="title"[^>]*>{re.escape(info["title"])}', dom), "Swagger UI did not render"
    assert info["version"] in dom


def test_page_renders_every_operation_with_method_path_id_and_summary(dom: str, document: dict[str, Any]):
    blocks = operation_blocks(dom)
    expected = {
        f"operations-{operation['tags'][0]}-{operation['operationId']}": (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }

    # Then there is one block per operation of the document, and nothing else
    assert sorted(blocks) == sorted(expected)
    for element_id, (method, path, operation) in expected.items():
        block = blocks[element_id]
        assert f'opblock-summary-method">{method.upper()}<' in block, element_id
        assert f'data-path="{html.escape(path)}"' in block, element_id
        assert f'opblock-summary-operation-id">{operation["operationId"]}<' in block, element_id
        assert f'opblock-summary-description">{html.escape(operation["summary"], quote=False)}<' in block


def test_linked_operation_opens_with_its_request_body_and_every_answer(dom: str, document: dict[str, Any]):
    block = operation_blocks(dom)[f"operations-{EXPANDED_TAG}-{EXPANDED_OPERATION}"]
    (operation,) = (
        op
        for item in document["paths"].values()
        for op in item.values()
        if op["operationId"] == EXPANDED_OPERATION
    )

    assert re.search(
        rf'class="opblock [^"]*is-open" id="operations-{EXPANDED_TAG}-{EXPANDED_OPERATION}"', dom
    )
    assert "Request body" in block
    rendered_codes = re.findall(r'data-code="(\d+)"', block)
    assert sorted(rendered_codes) == sorted(operation["responses"])


def test_linked_operation_shows_the_readmes_values_as_its_request_example(dom: str):
    # Swagger UI renders the schema's example as the body to send ("Example Value"), not values
    # generated from the patterns
    block = operation_blocks(dom)[f"operations-{EXPANDED_TAG}-{EXPANDED_OPERATION}"]
    text = html.unescape(re.sub(r"<[^>]+>", "", block))
    request = text[text.index("Request body") : text.index("Responses")]
    assert '"userId": "ana"' in request, request
