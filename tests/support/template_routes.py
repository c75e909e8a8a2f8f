"""The HTTP routes template.yaml declares: (path, METHOD) -> the function's code directory."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from samcli.yamlhelper import yaml_parse

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


@cache
def api_routes() -> dict[tuple[str, str], str]:
    """Every `Api` event of every function, method upper-cased, e.g. ("/events", "GET") -> "list_events"."""
    routes = {}
    for resource in yaml_parse(TEMPLATE.read_text())["Resources"].values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        directory = str(resource["Properties"]["CodeUri"]).strip("/").split("/")[-1]
        for event in (resource["Properties"].get("Events") or {}).values():
            if event["Type"] == "Api":
                routes[(event["Properties"]["Path"], event["Properties"]["Method"].upper())] = directory
    return routes
