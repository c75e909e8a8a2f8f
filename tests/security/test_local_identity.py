"""The local server's stand-in for the Cognito authorizer (tools/local_api/identity.py), unit by unit."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from samcli.lib.utils.stream_writer import StreamWriter

from local_api.identity import (
    HEADER,
    CognitoEmulation,
    LocalIdentity,
    parse_identity,
    protected_routes,
    with_local_identity,
)
from tests.security.rendering import TEMPLATE


@pytest.mark.parametrize(
    ("header", "identity"),
    [
        ("ada", LocalIdentity("ada")),
        ("ada; groups=organizers", LocalIdentity("ada", ("organizers",))),
        (" ada ;groups= organizers , admins ", LocalIdentity("ada", ("organizers", "admins"))),
        ("3f2b9c1e-0000-4000-8000-000000000000", LocalIdentity("3f2b9c1e-0000-4000-8000-000000000000")),
        ("ada; groups=", LocalIdentity("ada")),
    ],
)
def test_identities_it_accepts(header: str, identity: LocalIdentity):
    assert parse_identity(header) == identity


@pytest.mark.parametrize("header", [None, "", "two words", "ada; role=admin", "ada; groups=a b", "x" * 129])
def test_identities_it_refuses(header: str | None):
    assert parse_identity(header) is None


def test_claims_are_what_the_user_pool_authorizer_passes():
    assert LocalIdentity("ada", ("organizers", "admins")).claims() == {
        "sub": "ada",
        "cognito:username": "ada",
        "token_use": "id",
        "cognito:groups": "organizers,admins",
    }


def test_the_guarded_routes_come_from_the_template():
    guarded = protected_routes(TEMPLATE)
    assert ("/events", "POST") in guarded
    assert ("/events/{eventId}/registrations/{userId}", "DELETE") in guarded
    assert ("/health", "GET") not in guarded
    assert not any(method == "OPTIONS" for _, method in guarded)


class Recorder:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def is_debugging(self) -> bool:
        return False

    def invoke(
        self,
        function_identifier: str,
        event: str,
        tenant_id: str | None = None,
        stdout: StreamWriter | None = None,
        stderr: StreamWriter | None = None,
        **kwargs: Any,
    ) -> None:
        self.events.append(json.loads(event))
        assert stdout is not None
        stdout.write_str(json.dumps({"statusCode": 200, "body": "{}"}))


def proxy_event(resource: str, method: str, headers: dict[str, str]) -> dict[str, Any]:
    return {
        "resource": resource,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "requestContext": {"requestId": "r-1"},
    }


def run(emulation: CognitoEmulation, event: dict[str, Any]) -> dict[str, Any]:
    out = io.StringIO()
    emulation.invoke("Fn", json.dumps(event), stdout=StreamWriter(out))
    return json.loads(out.getvalue())


def test_a_guarded_route_gets_claims_and_loses_the_header():
    recorder = Recorder()
    emulation = CognitoEmulation(recorder, frozenset({("/events", "POST")}))

    run(emulation, proxy_event("/events", "POST", {"x-local-identity": "ada; groups=organizers", "A": "b"}))

    (seen,) = recorder.events
    assert seen["requestContext"]["authorizer"]["claims"]["sub"] == "ada"
    assert seen["requestContext"]["requestId"] == "r-1"
    assert seen["headers"] == {"A": "b"}
    assert seen["multiValueHeaders"] == {"A": ["b"]}


def test_a_guarded_route_without_identity_is_401_and_never_runs():
    recorder = Recorder()
    emulation = CognitoEmulation(recorder, frozenset({("/events", "POST")}))

    answer = run(emulation, proxy_event("/events", "POST", {}))

    assert (answer["statusCode"], json.loads(answer["body"])) == (401, {"detail": "Unauthorized"})
    assert recorder.events == []


def test_an_open_route_runs_without_claims_even_with_the_header():
    recorder = Recorder()
    emulation = CognitoEmulation(recorder, frozenset({("/events", "POST")}))

    run(emulation, proxy_event("/health", "GET", {HEADER: "ada"}))

    (seen,) = recorder.events
    assert "authorizer" not in seen["requestContext"]
    assert seen["headers"] == {}


def test_only_auth_mode_cognito_turns_it_on():
    runner = Recorder()
    assert with_local_identity(runner, TEMPLATE, {}) is runner
    assert with_local_identity(runner, TEMPLATE, {"AUTH_MODE": "NONE"}) is runner
    assert isinstance(with_local_identity(runner, TEMPLATE, {"AUTH_MODE": "cognito"}), CognitoEmulation)
