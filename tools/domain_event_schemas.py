"""The JSON Schemas of the domain events, schemas/<Type>.json, generated from the models in
event_core.domain_events.models. Each describes the EventBridge event a consumer receives: its
`source`, its `detail-type` and its `detail` (the envelope with the event's data).

    python tools/domain_event_schemas.py           # (re)write schemas/
    python tools/domain_event_schemas.py --check   # exit 1 if schemas/ is out of date

`make schemas` runs the first; a test runs the check.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
SCHEMAS_DIR = REPO_ROOT / "schemas"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

if __name__ == "__main__":  # run as a script: the layer is not on the path yet
    sys.path.insert(0, str(REPO_ROOT / "layers" / "event_core"))

from event_core.domain_events.models import EVENT_TYPES, SOURCE  # noqa: E402


def schema_documents() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema, one per domain event type."""
    documents = {}
    for model in EVENT_TYPES:
        name = model.__name__
        detail = _one_line_descriptions(
            model.model_json_schema(mode="serialization", ref_template="#/$defs/{model}")
        )
        definitions = {**detail.pop("$defs", {}), name: detail}
        documents[f"{name}.json"] = {
            "$schema": DRAFT,
            "$id": f"urn:{SOURCE}:domain-events:{name}",
            "title": name,
            "description": detail.get("description", ""),
            "type": "object",
            "properties": {
                "source": {"const": SOURCE},
                "detail-type": {"const": name},
                "detail": {"$ref": f"#/$defs/{name}"},
            },
            "required": ["source", "detail-type", "detail"],
            "$defs": dict(sorted(definitions.items())),
        }
    return documents


def _one_line_descriptions(schema: Any) -> Any:
    """Docstrings wrap lines; schema descriptions read better as one paragraph."""
    if isinstance(schema, dict):
        return {
            key: " ".join(value.split())
            if key == "description" and isinstance(value, str)
            else _one_line_descriptions(value)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_one_line_descriptions(value) for value in schema]
    return schema


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def stale_files(directory: Path = SCHEMAS_DIR) -> list[str]:
    """Schema files that are missing, different, or no longer generated."""
    documents = schema_documents()
    stale = [
        name
        for name, document in documents.items()
        if not (directory / name).is_file() or (directory / name).read_text() != render(document)
    ]
    present = directory.glob("*.json") if directory.is_dir() else []
    extra = [path.name for path in present if path.name not in documents]
    return sorted(stale + extra)


def write(directory: Path = SCHEMAS_DIR) -> None:
    directory.mkdir(exist_ok=True)
    documents = schema_documents()
    for path in directory.glob("*.json"):
        if path.name not in documents:
            path.unlink()
    for name, document in documents.items():
        (directory / name).write_text(render(document))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="fail if schemas/ is out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        if stale:
            print(f"Out of date: {', '.join(stale)}. Run `make schemas`.", file=sys.stderr)
            return 1
        return 0
    write()
    print(f"Wrote {len(schema_documents())} schemas to {SCHEMAS_DIR.relative_to(REPO_ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
