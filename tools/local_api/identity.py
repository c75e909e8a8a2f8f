"""A stand-in for API Gateway's Cognito user pool authorizer, for the local server only.

Started with `AUTH_MODE=COGNITO` in its environment, the local server (which then also runs the
functions with `AUTH_MODE=COGNITO`, as the template's AuthMode parameter would) accepts

    X-Local-Identity: <userId>[; groups=<group>,<group>...]

on the routes the template guards (the methods with a `security` requirement in the API's
DefinitionBody) and hands the functions what the authorizer would after checking a token:
`requestContext.authorizer.claims` with `sub` and `cognito:username` set to the user id and
`cognito:groups` to the groups. A guarded route without the header (or with an unusable one)
answers 401 `{"detail": "Unauthorized"}`, as API Gateway does without a valid token. The header
itself never reaches a function.

Nothing here runs in AWS, and without `AUTH_MODE=COGNITO` the server leaves requests alone: the
header is then just an unknown header that no code reads.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from samcli.lib.utils.stream_writer import StreamWriter
from samcli.yamlhelper import yaml_parse

LOG = logging.getLogger(__name__)

HEADER = "X-Local-Identity"
COGNITO = "COGNITO"
_USER_ID = re.compile(r"^[A-Za-z0-9_.:@+=-]{1,128}$")
_GROUP = re.compile(r"^[^\s,;]{1,128}$")
UNAUTHORIZED = {
    "statusCode": 401,
    "headers": {"Content-Type": "application/json"},
    "body": json.dumps({"detail": "Unauthorized"}),
}


class LambdaRunner(Protocol):
    """What LocalApigwService needs from its `lambda_runner`."""

    def is_debugging(self) -> bool: ...

    def invoke(
        self,
        function_identifier: str,
        event: str,
        tenant_id: str | None = None,
        stdout: StreamWriter | None = None,
        stderr: StreamWriter | None = None,
        **kwargs: Any,
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class LocalIdentity:
    user_id: str
    groups: tuple[str, ...] = ()

    def claims(self) -> dict[str, str]:
        """The claims API Gateway passes for a Cognito ID token (strings, groups comma-joined)."""
        claims = {"sub": self.user_id, "cognito:username": self.user_id, "token_use": "id"}
        if self.groups:
            claims["cognito:groups"] = ",".join(self.groups)
        return claims


def parse_identity(value: str | None) -> LocalIdentity | None:
    """`<userId>[; groups=a,b]` -> LocalIdentity; None when absent or malformed."""
    if value is None:
        return None
    user_id, *options = (part.strip() for part in value.split(";"))
    if not _USER_ID.fullmatch(user_id):
        return None
    groups: tuple[str, ...] = ()
    for option in options:
        name, _, listed = option.partition("=")
        if name.strip().lower() != "groups":
            return None
        groups = tuple(group.strip() for group in listed.split(",") if group.strip())
        if not all(_GROUP.fullmatch(group) for group in groups):
            return None
    return LocalIdentity(user_id, groups)


def protected_routes(template: Path) -> frozenset[tuple[str, str]]:
    """(path, METHOD) of every method the template's REST APIs guard with a security requirement."""
    resources = yaml_parse(template.read_text()).get("Resources", {})
    guarded = set()
    for resource in resources.values():
        if resource.get("Type") != "AWS::Serverless::Api":
            continue
        paths = (resource.get("Properties", {}).get("DefinitionBody") or {}).get("paths") or {}
        for path, methods in paths.items():
            for method, spec in (methods or {}).items():
                if isinstance(spec, dict) and "security" in spec:
                    guarded.add((path, method.upper()))
    return frozenset(guarded)


def _without_header(headers: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if headers is None:
        return None
    return {name: value for name, value in headers.items() if name.lower() != HEADER.lower()}


def _header(event: Mapping[str, Any]) -> str | None:
    for name, value in (event.get("headers") or {}).items():
        if name.lower() == HEADER.lower():
            return str(value)
    return None


class CognitoEmulation:
    """Wraps the server's lambda runner: guarded routes need an identity, which becomes claims."""

    def __init__(self, runner: LambdaRunner, protected: frozenset[tuple[str, str]]) -> None:
        self._runner = runner
        self._protected = protected

    def is_debugging(self) -> bool:
        return self._runner.is_debugging()

    def authorize(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """The event as the function gets it, or None if the authorizer would answer 401."""
        identity = parse_identity(_header(event))
        event = {
            **event,
            "headers": _without_header(event.get("headers")),
            "multiValueHeaders": _without_header(event.get("multiValueHeaders")),
        }
        route = (event.get("resource"), str(event.get("httpMethod", "")).upper())
        if route not in self._protected:
            return event
        if identity is None:
            return None
        context = dict(event.get("requestContext") or {})
        context["authorizer"] = {"claims": identity.claims()}
        return {**event, "requestContext": context}

    def invoke(
        self,
        function_identifier: str,
        event: str,
        tenant_id: str | None = None,
        stdout: StreamWriter | None = None,
        stderr: StreamWriter | None = None,
        **kwargs: Any,
    ) -> None:
        authorized = self.authorize(json.loads(event))
        if authorized is None:
            if stdout is not None:
                stdout.write_str(json.dumps(UNAUTHORIZED))
            return
        self._runner.invoke(
            function_identifier,
            json.dumps(authorized),
            tenant_id=tenant_id,
            stdout=stdout,
            stderr=stderr,
            **kwargs,
        )


def with_local_identity(runner: LambdaRunner, template: Path, env: Mapping[str, str]) -> LambdaRunner:
    """The runner itself, or with AUTH_MODE=COGNITO the runner behind the emulated authorizer."""
    if env.get("AUTH_MODE", "").strip().upper() != COGNITO:
        return runner
    protected = protected_routes(template)
    LOG.info("AUTH_MODE=COGNITO: %d guarded routes take the %s header", len(protected), HEADER)
    return CognitoEmulation(runner, protected)
