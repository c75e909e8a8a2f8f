"""AuthMode COGNITO in the handlers: users act only as themselves, organizers manage events.

Handlers are fed API Gateway events carrying the claims a Cognito user pool authorizer passes
(`requestContext.authorizer.claims`), against moto's DynamoDB with the template's tables.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from event_core.authorization import caller_from_claims, parse_groups
from tests.handlers.lambda_runner import Answer, invoke, sample
from tests.unit.builders import a_user, an_event, register_all, unique
from tests.unit.moto_tables import clear_caches, fresh_tables, mocked_aws, set_environment

FORBIDDEN = {"detail": "Forbidden"}


@pytest.fixture(scope="module")
def moto_client() -> Iterator[Any]:
    with mocked_aws() as client:
        yield client


@pytest.fixture
def cognito(moto_client: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    set_environment(monkeypatch)
    monkeypatch.setenv("AUTH_MODE", "COGNITO")
    monkeypatch.delenv("ORGANIZER_GROUP", raising=False)
    fresh_tables(moto_client)
    yield monkeypatch
    clear_caches()


def as_caller(event: dict[str, Any], user_id: str | None, groups: str | None = None) -> dict[str, Any]:
    """The event as API Gateway passes it after the user pool authorizer accepted a token."""
    event = copy.deepcopy(event)
    claims = {} if user_id is None else {"sub": user_id, "cognito:username": f"name-{user_id}"}
    if groups is not None:
        claims["cognito:groups"] = groups
    event["requestContext"]["authorizer"] = {"claims": claims} if claims else None
    return event


def call(name: str, user_id: str | None, groups: str | None = None, **request: Any) -> Answer:
    return invoke(name, as_caller(sample(name, **request), user_id, groups))


# ---------------------------------------------------------------- claims


@pytest.mark.parametrize(
    ("claim", "groups"),
    [
        ("organizers", {"organizers"}),
        ("organizers,admins", {"organizers", "admins"}),
        ("[organizers admins]", {"organizers", "admins"}),
        (["organizers", "admins"], {"organizers", "admins"}),
        ("", set()),
        (None, set()),
    ],
)
def test_group_claims_in_every_form_api_gateway_passes(claim: Any, groups: set[str]):
    assert parse_groups(claim) == groups


def test_the_caller_is_the_tokens_sub():
    caller = caller_from_claims({"sub": "abc-123", "cognito:username": "ada", "cognito:groups": "organizers"})
    assert caller is not None
    assert (caller.user_id, caller.groups) == ("abc-123", frozenset({"organizers"}))
    assert caller_from_claims({"cognito:username": "ada"}) is None


# ---------------------------------------------------------------- a user acts as themselves


def test_a_user_registers_themselves_but_nobody_else(cognito):
    event_id = an_event()
    me, other = a_user(), a_user()
    path = {"eventId": event_id}

    assert call("register", me, path_params=path, body={"userId": other}).body == FORBIDDEN
    assert call("register", None, path_params=path, body={"userId": me}).body == FORBIDDEN
    mine = call("register", me, path_params=path, body={"userId": me})

    assert mine.status == 201
    attendees = call("list_event_registrations", me, "organizers", path_params=path)
    assert [r["userId"] for r in attendees.body["registered"]] == [me]


def test_a_user_unregisters_themselves_but_nobody_else(cognito):
    event_id = an_event()
    me, other = a_user(), a_user()
    register_all(event_id, [me, other])

    denied = call("unregister", me, path_params={"eventId": event_id, "userId": other})
    allowed = call("unregister", me, path_params={"eventId": event_id, "userId": me})

    assert (denied.status, denied.body) == (403, FORBIDDEN)
    assert allowed.status == 200
    assert call("unregister", other, path_params={"eventId": event_id, "userId": other}).status == 200


@pytest.mark.parametrize("name", ["list_user_registrations", "get_user"])
def test_a_user_reads_only_their_own_profile_and_registrations(cognito, name: str):
    me, other = a_user(), a_user()

    assert call(name, me, path_params={"userId": me}).status == 200
    assert call(name, me, path_params={"userId": other}).status == 403
    assert call(name, me, "organizers", path_params={"userId": other}).status == 403


def test_a_user_creates_only_their_own_profile(cognito):
    me = unique("user")

    assert call("create_user", me, body={"userId": unique("user"), "name": "Someone"}).status == 403
    assert call("create_user", me, body={"name": "No id"}).status == 403
    assert call("create_user", me, body={"userId": me, "name": "Me"}).status == 201


# ---------------------------------------------------------------- organizers manage events


def new_event() -> dict[str, Any]:
    return {
        "eventId": unique("evt"),
        "title": "Organized",
        "description": "By an organizer",
        "date": "2027-07-01",
        "location": "Hall",
        "capacity": 5,
        "organizer": "Team",
    }


def organizer_requests(event_id: str) -> dict[str, dict[str, Any]]:
    path = {"eventId": event_id}
    return {
        "create_event": {"body": new_event()},
        "update_event": {"path_params": path, "body": {"title": "Changed"}},
        "set_waitlist": {"path_params": path, "body": {"waitlistEnabled": False}},
        "list_event_registrations": {"path_params": path},
        "delete_event": {"path_params": path},
    }


@pytest.mark.parametrize("groups", [None, "attendees", "[attendees everyone]", "organizers-team"])
def test_only_organizers_manage_events(cognito, groups: str | None):
    event_id = an_event()
    before = call("get_event", unique("user"), path_params={"eventId": event_id}).body

    for name, request in organizer_requests(event_id).items():
        answer = call(name, unique("user"), groups, **request)
        assert (name, answer.status, answer.body) == (name, 403, FORBIDDEN)

    assert call("get_event", unique("user"), path_params={"eventId": event_id}).body == before


def test_organizers_manage_events(cognito):
    event_id = an_event()
    organizer = unique("user")

    statuses = {
        name: call(name, organizer, "attendees,organizers", **request).status
        for name, request in organizer_requests(event_id).items()
    }

    assert statuses == {
        "create_event": 201,
        "update_event": 200,
        "set_waitlist": 200,
        "list_event_registrations": 200,
        "delete_event": 200,
    }


def test_the_organizer_group_is_configurable(cognito):
    cognito.setenv("ORGANIZER_GROUP", "event-admins")
    clear_caches()

    assert call("create_event", unique("user"), "organizers", body=new_event()).status == 403
    assert call("create_event", unique("user"), "event-admins", body=new_event()).status == 201


@pytest.mark.parametrize(
    ("name", "request_"),
    [("list_events", {}), ("api_info", {}), ("health", {})],
)
def test_any_signed_in_user_reads_the_catalogue(cognito, name: str, request_: dict[str, Any]):
    assert call(name, unique("user"), **request_).status == 200


def test_any_signed_in_user_reads_an_event(cognito):
    assert call("get_event", unique("user"), path_params={"eventId": an_event()}).status == 200


# ---------------------------------------------------------------- other modes


@pytest.mark.parametrize("mode", ["NONE", "API_KEY", "IAM"])
def test_without_cognito_the_handlers_do_not_check_callers(cognito, mode: str):
    cognito.setenv("AUTH_MODE", mode)
    clear_caches()
    event_id = an_event()
    someone = a_user()

    assert call("register", None, path_params={"eventId": event_id}, body={"userId": someone}).status == 201
    assert call("create_event", unique("user"), "attendees", body=new_event()).status == 201
