"""template.yaml as CloudFormation deploys it for given parameter values.

`translated()` runs the SAM transform as CloudFormation does, with the parameter values (SAM
resolves a few parameter Refs itself), local CodeUris replaced by S3 ones as `sam package` would.
`render()` then does what CloudFormation does with the parameters: evaluates the Conditions,
drops the resources and outputs whose condition is false, resolves `Fn::If` (dropping
`AWS::NoValue`) and substitutes `Ref`s to parameters. Other intrinsics (GetAtt, Sub, Refs to
resources) stay as they are. `deployed()` is both.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from samcli.yamlhelper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
_NO_VALUE = object()


def template(path: Path = TEMPLATE) -> dict[str, Any]:
    return yaml_parse(path.read_text())


@cache
def _translated(text: str, parameters: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    from samtranslator.translator.transform import transform  # type: ignore[import-untyped]

    source = yaml_parse(text)
    for resource in source.get("Resources", {}).values():
        properties = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str):
                properties[key] = f"s3://bucket/{properties[key].strip('/')}.zip"

    class _NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    previous = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = previous or "us-east-1"
    try:
        return transform(source, dict(parameters), _NoManagedPolicies())
    finally:
        if previous is None:
            del os.environ["AWS_DEFAULT_REGION"]


def translated(overrides: Mapping[str, str] | None = None, path: Path = TEMPLATE) -> dict[str, Any]:
    """The SAM-transformed template for these parameter values (a fresh copy each call)."""
    text = path.read_text()
    values = parameter_values(yaml_parse(text), overrides or {})
    return copy.deepcopy(_translated(text, tuple(sorted(values.items()))))


def deployed(overrides: Mapping[str, str] | None = None, path: Path = TEMPLATE) -> dict[str, Any]:
    """What a stack made from the template with these parameter values contains."""
    return render(translated(overrides, path), overrides)


def parameter_values(cfn: Mapping[str, Any], overrides: Mapping[str, str]) -> dict[str, str]:
    values = {name: str(spec.get("Default", "")) for name, spec in cfn.get("Parameters", {}).items()}
    unknown = set(overrides) - set(values)
    assert not unknown, f"no such parameters: {sorted(unknown)}"
    values.update(overrides)
    return values


def render(cfn: Mapping[str, Any], overrides: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The template with conditions applied, for these parameter values (defaults otherwise)."""
    parameters = parameter_values(cfn, overrides or {})
    conditions: dict[str, bool] = {}
    definitions = cfn.get("Conditions", {})

    def condition(name: str) -> bool:
        if name not in conditions:
            conditions[name] = bool(evaluate(definitions[name]))
        return conditions[name]

    def evaluate(node: Any) -> Any:
        if isinstance(node, list):
            return [value for value in (evaluate(item) for item in node) if value is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, argument),) = node.items()
            if key == "Ref":
                if argument == "AWS::NoValue":
                    return _NO_VALUE
                return parameters.get(argument, node)
            if key == "Fn::If":
                name, when_true, when_false = argument
                return evaluate(when_true if condition(name) else when_false)
            if key == "Fn::Equals":
                left, right = (str(evaluate(side)) for side in argument)
                return left == right
            if key == "Fn::Not":
                return not evaluate(argument[0])
            if key == "Fn::And":
                return all(evaluate(item) for item in argument)
            if key == "Fn::Or":
                return any(evaluate(item) for item in argument)
            if key == "Condition":
                return condition(argument)
        resolved = {key: evaluate(value) for key, value in node.items()}
        return {key: value for key, value in resolved.items() if value is not _NO_VALUE}

    rendered: dict[str, Any] = {}
    for section, body in cfn.items():
        if section in ("Resources", "Outputs"):
            rendered[section] = {
                name: evaluate({k: v for k, v in item.items() if k != "Condition"})
                for name, item in body.items()
                if "Condition" not in item or condition(item["Condition"])
            }
        elif section not in ("Conditions", "Parameters", "Rules"):
            rendered[section] = body
    rendered["Parameters"] = parameters
    return rendered


def resources_of_type(rendered: Mapping[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in rendered["Resources"].items() if r.get("Type") == kind}
