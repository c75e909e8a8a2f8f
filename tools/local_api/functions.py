"""The template's functions as the local runtime runs them: code, layers, environment, limits.

SAM CLI reads the template (Globals merged, intrinsics resolved: `!Ref EventsTable` is the
logical id, `!Ref <Parameter>` its default) and builds the Lambda environment exactly as
`sam local` does; this module only adds what a local process needs on top.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from samcli.lib.providers.provider import Function, Stack
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider
from samcli.lib.utils.codeuri import resolve_code_path
from samcli.local.lambdafn.env_vars import EnvironmentVariables

from local_api.clients import REGION

LOG = logging.getLogger(__name__)

# Process basics a local interpreter needs; a Lambda sandbox has its own.
PASSTHROUGH_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ", "SYSTEMROOT")
DUMMY_CREDENTIALS = {"region": REGION, "key": "local", "secret": "local"}
# The page token key of the functions that page (in AWS: the stack's secret, PAGE_TOKEN_SECRET_ARN),
# unless the shell sets PAGE_TOKEN_SECRET. Local only, like env.local.json's.
LOCAL_PAGE_TOKEN_SECRET = "local-development-only"  # noqa: S105 - local only, not a credential
# A quiet first call: Powertools warns when a route counted no metric, as most routes do.
QUIET_WARNINGS = "ignore:No application metrics to publish:UserWarning"


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str
    handler: str
    code_dir: Path
    layer_dirs: tuple[Path, ...]
    environment: Mapping[str, str]
    timeout_s: float
    memory_mb: int

    @property
    def import_paths(self) -> tuple[Path, ...]:
        """sys.path head of the worker: the code (/var/task), then the layers (/opt/python)."""
        return (self.code_dir, *self.layer_dirs)


def load_stacks(template: Path, parameters: Mapping[str, str] | None = None) -> list[Stack]:
    """The template's stacks, with `parameters` overriding its parameters' defaults."""
    stacks, _remote = SamLocalStackProvider.get_stacks(
        str(template.resolve()), parameter_overrides=dict(parameters or {})
    )
    return stacks


def template_parameters(shell_env: Mapping[str, str]) -> dict[str, str]:
    """Template parameters the local stack takes from the shell: `ALLOWED_ORIGINS` is the
    AllowedOrigins parameter, for the gateway's CORS answers as for the functions'."""
    origins = shell_env.get("ALLOWED_ORIGINS", "").strip()
    return {"AllowedOrigins": origins} if origins else {}


def function_provider(stacks: list[Stack]) -> SamFunctionProvider:
    return SamFunctionProvider(stacks, ignore_code_extraction_warnings=True)


def layer_dirs(function: Function, base_dir: Path) -> tuple[Path, ...]:
    dirs = []
    for layer in function.layers:
        if not layer.codeuri:
            LOG.warning("%s: layer %s is not in the template; skipped", function.name, layer.arn)
            continue
        content = Path(resolve_code_path(str(base_dir), layer.codeuri))
        # A layer laid out as deployed keeps its modules in python/ (Lambda's /opt/python).
        dirs.append(content / "python" if (content / "python").is_dir() else content)
    return tuple(dirs)


def environment(function: Function, ddb_endpoint: str, shell_env: Mapping[str, str]) -> dict[str, str]:
    declared = (function.environment or {}).get("Variables", {})
    lambda_env = EnvironmentVariables(
        function.name,
        function.memory,
        function.timeout,
        function.handler,
        function.logging_config,
        variables=declared,
        shell_env_values=shell_env,
        override_values={"DYNAMODB_ENDPOINT": ddb_endpoint},
        aws_creds=DUMMY_CREDENTIALS,
    ).resolve()
    basics = {name: shell_env[name] for name in PASSTHROUGH_VARIABLES if name in shell_env}
    local = {
        "DYNAMODB_ENDPOINT": ddb_endpoint,
        "AWS_ENDPOINT_URL_DYNAMODB": ddb_endpoint,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "PYTHONUNBUFFERED": "1",
        "PYTHONWARNINGS": ",".join(filter(None, [shell_env.get("PYTHONWARNINGS"), QUIET_WARNINGS])),
    }
    if "PAGE_TOKEN_SECRET_ARN" in declared:  # no Secrets Manager here: the key itself
        local["PAGE_TOKEN_SECRET_ARN"] = ""
        local["PAGE_TOKEN_SECRET"] = shell_env.get("PAGE_TOKEN_SECRET") or LOCAL_PAGE_TOKEN_SECRET
    return {**basics, **lambda_env, **local}


def function_spec(
    function: Function, base_dir: Path, ddb_endpoint: str, shell_env: Mapping[str, str]
) -> FunctionSpec:
    code_dir = Path(resolve_code_path(str(base_dir), function.codeuri))
    env = environment(function, ddb_endpoint, shell_env)
    env["LAMBDA_TASK_ROOT"] = str(code_dir)
    return FunctionSpec(
        name=function.name,
        handler=function.handler,
        code_dir=code_dir,
        layer_dirs=layer_dirs(function, base_dir),
        environment=env,
        timeout_s=float(function.timeout or 3),
        memory_mb=int(function.memory or 128),
    )


def function_specs(
    functions: Iterable[Function],
    base_dir: Path,
    ddb_endpoint: str,
    shell_env: Mapping[str, str] | None = None,
) -> dict[str, FunctionSpec]:
    """Specs of the runnable (zip, Python) functions, by logical id."""
    shell_env = os.environ if shell_env is None else shell_env
    specs = {}
    for function in functions:
        if not (function.runtime or "").startswith("python") or not function.codeuri:
            LOG.warning("%s: only zip Python functions run locally; skipped", function.name)
            continue
        specs[function.name] = function_spec(function, base_dir, ddb_endpoint, shell_env)
    return specs
