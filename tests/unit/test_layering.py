"""The domain layer's rooms depend one way: the HTTP edge on the use cases, the use cases on the
store, the store on neither."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "layers/event_core/event_core"
USE_CASES = [p for p in PACKAGE.rglob("*.py") if not p.is_relative_to(PACKAGE / "edge")]
STORE = list((PACKAGE / "store").rglob("*.py"))
# What the store may import from the rest of the package: the values it stores and its settings.
STORE_MAY_IMPORT = (
    "event_core.store",
    "event_core.models",
    "event_core.errors",
    "event_core.settings",
    "event_core.ids",
    "event_core.observability",
    "event_core.clock",
)


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.startswith("event_core")}


@pytest.mark.parametrize("path", USE_CASES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_use_case_imports_the_http_edge(path: Path):
    assert not {name for name in imported(path) if name.startswith("event_core.edge")}


@pytest.mark.parametrize("path", STORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_store_imports_no_use_case(path: Path):
    outside = {
        name for name in imported(path) if not name.startswith(STORE_MAY_IMPORT) and name != "event_core"
    }
    assert not outside
