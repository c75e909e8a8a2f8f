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
from local_api.samples import sample
from tests.support.bodies import event_body, unique
from tests.support.builders import a_user, an_event, register_all
from tests.support.environment import clear_caches
from tests.support.lambda_runner import Answer, invoke
from tests.support.moto_aws import function_setup, moto_session

FORBIDDEN = {"detail": "Forbidden"}


moto_client = pytest.fixture(scope="module", name="moto_client")(moto_session)


@pytest.fixture
def cognito(moto_client: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    with function_setup(moto_client, monkeypatch, AUTH_MODE="COGNITO"):
        yield monkeypatch


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
    attendees = call("list_event_registrations", unique("admin"), "admins", path_params=path)
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


def organizer_requests(event_id: str) -> dict[str, dict[str, Any]]:
    path = {"eventId": event_id}
    return {
        "create_event": {"body": event_body()},
        "update_event": {"path_params": path, "body": {"title": "Changed"}},
        "set_waitlist": {"path_params": path, "body": {"waitlistEnabled": False}},
        "list_event_registrations": {"path_params": path},
        "delete_event": {"path_params": path},
    }


MANAGING = ["update_event", "set_waitlist", "list_event_registrations", "delete_event"]


def created_by(organizer: str, groups: str = "organizers") -> str:
    """An event created through POST /events by `organizer`: they own it."""
    answer = call("create_event", organizer, groups, body=event_body())
    assert answer.status == 201
    return str(answer.body["eventId"])


def manage(name: str, caller: str, groups: str, event_id: str) -> Answer:
    return call(name, caller, groups, **organizer_requests(event_id)[name])


@pytest.mark.parametrize("groups", [None, "attendees", "[attendees everyone]", "organizers-team"])
def test_only_organizers_manage_events(cognito, groups: str | None):
    event_id = an_event()
    before = call("get_event", unique("user"), path_params={"eventId": event_id}).body

    for name, request in organizer_requests(event_id).items():
        answer = call(name, unique("user"), groups, **request)
        assert (name, answer.status, answer.body) == (name, 403, FORBIDDEN)

    assert call("get_event", unique("user"), path_params={"eventId": event_id}).body == before


def test_an_event_belongs_to_the_organizer_who_created_it(cognito):
    olga = unique("org")
    body = {**event_body(), "ownerId": "someone-else"}  # not the client's to choose

    created = call("create_event", olga, "attendees,organizers", body=body)

    assert created.status == 201
    assert created.body["ownerId"] == olga
    assert call("get_event", unique("user"), path_params={"eventId": body["eventId"]}).body["ownerId"] == olga


def test_organizers_manage_the_events_they_own(cognito):
    organizer = unique("org")

    statuses = {
        name: manage(name, organizer, "organizers", created_by(organizer)).status for name in MANAGING
    }

    assert statuses == dict.fromkeys(MANAGING, 200)


@pytest.mark.parametrize("name", MANAGING)
def test_an_organizer_cannot_manage_another_organizers_event(cognito, name: str):
    olga, oscar = unique("org"), unique("org")
    event_id = created_by(olga)
    register_all(event_id, [a_user()])
    before = call("get_event", olga, path_params={"eventId": event_id}).body

    answer = manage(name, oscar, "organizers", event_id)

    assert (answer.status, answer.body) == (403, FORBIDDEN)  # no attendee names, no change
    assert call("get_event", olga, path_params={"eventId": event_id}).body == before
    assert manage(name, olga, "organizers", event_id).status == 200


@pytest.mark.parametrize("name", MANAGING)
def test_probing_ids_tells_an_organizer_no_more_than_a_get(cognito, name: str):
    oscar = unique("org")
    missing = unique("evt")

    answer = manage(name, oscar, "organizers", missing)

    assert answer.status == 404
    assert answer.body == call("get_event", oscar, path_params={"eventId": missing}).body


@pytest.mark.parametrize("name", MANAGING)
def test_administrators_manage_every_event(cognito, name: str):
    owned, ownerless = created_by(unique("org")), an_event()  # ownerless: created in another mode

    assert manage(name, unique("admin"), "admins", owned).status == 200
    assert manage(name, unique("admin"), "[attendees admins]", ownerless).status == 200


@pytest.mark.parametrize("name", MANAGING)
def test_an_event_without_owner_is_managed_by_administrators_only(cognito, name: str):
    event_id = an_event()  # no owner recorded, as for events created with AuthMode NONE

    assert manage(name, unique("org"), "organizers", event_id).status == 403


def test_the_organizer_group_is_configurable(cognito):
    cognito.setenv("ORGANIZER_GROUP", "event-admins")
    clear_caches()

    assert call("create_event", unique("user"), "organizers", body=event_body()).status == 403
    assert call("create_event", unique("user"), "event-admins", body=event_body()).status == 201


def test_the_administrator_group_is_configurable(cognito):
    cognito.setenv("ADMIN_GROUP", "staff")
    clear_caches()
    event_id = created_by(unique("org"))

    assert manage("update_event", unique("admin"), "admins", event_id).status == 403
    assert manage("update_event", unique("admin"), "staff", event_id).status == 200


# ---------------------------------------------------------------- handing an event over


def hand_over(event_id: str, caller: str, groups: str | None, owner_id: str, **headers: str) -> Answer:
    request = sample(
        "transfer_event", path_params={"eventId": event_id}, body={"ownerId": owner_id}, headers=dict(headers)
    )
    return invoke("transfer_event", as_caller(request, caller, groups))


def test_an_administrator_hands_an_event_over(cognito):
    olga, oscar = unique("org"), unique("org")
    event_id = created_by(olga)

    answer = hand_over(event_id, unique("admin"), "admins", oscar)

    assert (answer.status, answer.body["ownerId"]) == (200, oscar)
    assert manage("update_event", olga, "organizers", event_id).status == 403
    assert manage("update_event", oscar, "organizers", event_id).status == 200


@pytest.mark.parametrize("groups", [None, "organizers", "attendees"])
def test_only_administrators_hand_events_over(cognito, groups: str | None):
    olga = unique("org")
    event_id = created_by(olga)

    answer = hand_over(event_id, olga, groups, unique("org"))

    assert (answer.status, answer.body) == (403, FORBIDDEN)
    assert call("get_event", olga, path_params={"eventId": event_id}).body["ownerId"] == olga


def test_a_hand_over_moves_the_etag_so_the_old_owners_edit_in_flight_fails(cognito):
    olga = unique("org")
    event_id = created_by(olga)
    tag = call("get_event", olga, path_params={"eventId": event_id}).headers["etag"]

    assert hand_over(event_id, unique("admin"), "admins", unique("org"), **{"If-Match": tag}).status == 200
    assert hand_over(event_id, unique("admin"), "admins", olga, **{"If-Match": tag}).status == 412


@pytest.mark.parametrize("owner_id", ["", "a b", "a/b", "x" * 101])
def test_a_hand_over_names_a_valid_owner(cognito, owner_id: str):
    assert hand_over(an_event(), unique("admin"), "admins", owner_id).status == 422


def test_handing_over_a_missing_event_is_404(cognito):
    assert hand_over(unique("evt"), unique("admin"), "admins", unique("org")).status == 404


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
    assert call("create_event", unique("user"), "attendees", body=event_body()).status == 201


@pytest.mark.parametrize("mode", ["NONE", "API_KEY", "IAM"])
def test_without_cognito_nobody_owns_an_event_and_every_caller_manages_it(cognito, mode: str):
    cognito.setenv("AUTH_MODE", mode)
    clear_caches()
    created = call("create_event", unique("user"), "attendees", body=event_body())
    event_id = created.body["eventId"]

    assert created.body["ownerId"] is None
    for name in MANAGING:
        assert (name, manage(name, unique("user"), "attendees", event_id).status) == (name, 200)
    assert hand_over(an_event(), unique("user"), None, unique("org")).status == 200
