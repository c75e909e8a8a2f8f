"""The `sam build` output (.aws-sam/build), run the way `sam local invoke` runs it.

Each function's code is its build directory (Lambda's /var/task) and the domain layer is
`.aws-sam/build/DomainLayer/python` (/opt/python), in that order on sys.path; the environment
is the one SAM CLI computes from the built template. The interpreter is the venv's Python 3.13
(the Lambda runtime's stand-in), which also provides boto3, as the runtime does.

The layer is built for arm64. On another machine (x86_64 CI, most laptops) its compiled
extensions (pydantic_core, wrapt) cannot load, so those packages, and only those, come from the
venv instead, through an overlay directory placed before the layer; their versions must equal
the layer's. Everything else, pure Python, runs from the build output: the handlers, event_core,
Powertools, pydantic, botocore, aws_xray_sdk. What that cannot check on x86_64 is that the arm64
binaries themselves load, which only an arm64 machine (or Lambda) does.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import importlib.util
import platform
import re
from collections.abc import Iterator
from pathlib import Path

from samcli.yamlhelper import yaml_parse

from local_api.functions import FunctionSpec, function_provider, function_specs, load_stacks

ROOT = Path(__file__).resolve().parents[2]
SOURCE_TEMPLATE = ROOT / "template.yaml"
BUILD_DIR = ROOT / ".aws-sam" / "build"
BUILT_TEMPLATE = BUILD_DIR / "template.yaml"
LAYER_ID = "DomainLayer"
LAYER_SOURCE = ROOT / "layers" / "event_core"
LAYER_DIR = BUILD_DIR / LAYER_ID / "python"
BUILD_ARCH = "aarch64"  # Architectures: [arm64] in template.yaml
SKIPPED_FILES = ("__pycache__", ".pyc")


def source_functions() -> dict[str, Path]:
    """Logical id -> CodeUri directory of every function in template.yaml."""
    resources = yaml_parse(SOURCE_TEMPLATE.read_text())["Resources"]
    return {
        logical_id: ROOT / resource["Properties"]["CodeUri"]
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def _files(directory: Path) -> Iterator[Path]:
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not any(part.endswith(SKIPPED_FILES) for part in path.parts):
            yield path.relative_to(directory)


def _differences(source: Path, built: Path) -> list[str]:
    return [
        str(relative)
        for relative in _files(source)
        if not (built / relative).is_file()
        or (built / relative).read_bytes() != (source / relative).read_bytes()
    ]


def _pinned(requirements: Path) -> dict[str, str]:
    pins = {}
    for line in requirements.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;#]+)", line.strip())
        if match:
            pins[_normal(match.group(1))] = match.group(2)
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def layer_versions() -> dict[str, str]:
    """Distribution name (normalised) -> version, of what sam build installed into the layer."""
    return {
        _normal(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions(path=[str(LAYER_DIR)])
    }


def stale_reason() -> str | None:
    """Why .aws-sam/build does not reflect the sources (None when it does)."""
    if not BUILT_TEMPLATE.is_file():
        return "no sam build output"
    built_ids = {
        logical_id
        for logical_id, resource in yaml_parse(BUILT_TEMPLATE.read_text())["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    functions = source_functions()
    if built_ids != set(functions):
        return f"built functions {sorted(built_ids ^ set(functions))} differ from template.yaml"
    for logical_id, code_dir in functions.items():
        if changed := _differences(code_dir, BUILD_DIR / logical_id):
            return f"{logical_id}: {changed[:3]} changed since the build"
    if changed := _differences(LAYER_SOURCE / "event_core", LAYER_DIR / "event_core"):
        return f"{LAYER_ID}: event_core/{changed[:3]} changed since the build"
    installed = layer_versions()
    for name, version in _pinned(LAYER_SOURCE / "requirements.txt").items():
        if installed.get(name) != version:
            return f"{LAYER_ID}: {name} is {installed.get(name)}, requirements.txt pins {version}"
    return None


def foreign_binary_packages() -> list[str]:
    """Top-level packages of the layer with compiled extensions this machine cannot load."""
    if platform.machine() in (BUILD_ARCH, "arm64"):
        return []
    return sorted({so.relative_to(LAYER_DIR).parts[0] for so in LAYER_DIR.glob(f"*/**/*{BUILD_ARCH}*.so")})


def venv_overlay(directory: Path) -> tuple[Path, dict[str, tuple[str, str]]]:
    """A directory of links to the venv's copies of the foreign binary packages.

    Returns it and, per package, (layer version, venv version) of its distribution.
    """
    directory.mkdir(parents=True, exist_ok=True)
    owners = {
        top: _normal(dist.metadata["Name"])
        for dist in importlib.metadata.distributions(path=[str(LAYER_DIR)])
        for top in {file.parts[0] for file in dist.files or ()}
    }
    layer = layer_versions()
    versions = {}
    for package in foreign_binary_packages():
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(f"{package} is in the layer but not in the venv")
        (directory / package).symlink_to(
            next(iter(spec.submodule_search_locations)), target_is_directory=True
        )
        distribution = owners[package]
        versions[package] = (layer[distribution], importlib.metadata.version(distribution))
    return directory, versions


def built_specs(ddb_endpoint: str, overlay: Path | None) -> dict[str, FunctionSpec]:
    """The built functions as `sam local` would run them, by logical id (overlay before the layer)."""
    functions = function_provider(load_stacks(BUILT_TEMPLATE)).get_all()
    specs = function_specs(functions, BUILD_DIR, ddb_endpoint)
    if overlay is None:
        return specs
    return {
        name: dataclasses.replace(spec, layer_dirs=(overlay, *spec.layer_dirs))
        for name, spec in specs.items()
    }
