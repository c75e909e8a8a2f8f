"""The COGNITO rules over HTTP: a second local server with AUTH_MODE=COGNITO, emulated identities.

The server (tools/local_api, started here with `AUTH_MODE=COGNITO` and a custom organizer group)
stands in for the user pool authorizer: `X-Local-Identity: <userId>[; groups=a,b]` becomes the
claims the functions read, guarded routes without it answer 401, and the header never reaches a
function. It shares the session's DynamoDB Local with the default (AuthMode NONE) server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from local_api import ServerHandle
from local_api.identity import HEADER
from tests.support.bodies import event_body, unique
from tests.support.servers import local_server

ORGANIZERS = "event-admins"  # not the default, to prove ORGANIZER_GROUP reaches the functions
TIMEOUT = 30


@pytest.fixture(scope="module")
def cognito_server(ddb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    environment = {"AUTH_MODE": "COGNITO", "ORGANIZER_GROUP": ORGANIZERS}
    with local_server(
        ddb_endpoint, tmp_path_factory, "local-api-cognito", max_workers=2, environment=environment
    ) as server:
        yield server


class Client:
    def __init__(self, base_url: str, identity: str | None) -> None:
        self.base_url = base_url
        self.headers = {HEADER: identity} if identity else {}

    def __call__(self, method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(
            method, f"{self.base_url}{path}", json=body, headers=self.headers, timeout=TIMEOUT
        )


@pytest.fixture
def organizer(cognito_server: ServerHandle) -> Client:
    return Client(cognito_server.url, f"{unique('org')}; groups=attendees,{ORGANIZERS}")


def signed_up(server: ServerHandle) -> tuple[str, Client]:
    user_id = unique("user")
    client = Client(server.url, user_id)
    assert client("POST", "/users", {"userId": user_id, "name": user_id}).status_code == 201
    return user_id, client


def an_event(organizer: Client, capacity: int = 1) -> str:
    body = event_body(capacity=capacity, waitlistEnabled=True)
    answer = organizer("POST", "/events", body)
    assert answer.status_code == 201, answer.text
    return str(body["eventId"])


def test_guarded_routes_need_an_identity_but_health_does_not(cognito_server):
    anonymous = Client(cognito_server.url, None)

    assert anonymous("GET", "/health").status_code == 200
    for method, path in [("GET", "/events"), ("POST", "/users"), ("GET", "/")]:
        answer = anonymous(method, path, {} if method == "POST" else None)
        assert (answer.status_code, answer.json()) == (401, {"detail": "Unauthorized"})
    malformed = Client(cognito_server.url, "not an id; flavour=vanilla")
    assert malformed("GET", "/events").status_code == 401


def test_users_register_and_unregister_only_themselves(cognito_server, organizer):
    event_id = an_event(organizer)
    ada, as_ada = signed_up(cognito_server)
    bob, as_bob = signed_up(cognito_server)

    for_bob = as_ada("POST", f"/events/{event_id}/registrations", {"userId": bob})
    assert (for_bob.status_code, for_bob.json()) == (403, {"detail": "Forbidden"})
    assert as_ada("POST", f"/events/{event_id}/registrations", {"userId": ada}).status_code == 201
    assert (
        as_bob("POST", f"/events/{event_id}/registrations", {"userId": bob}).json()["status"] == "waitlisted"
    )

    assert as_bob("DELETE", f"/events/{event_id}/registrations/{ada}").status_code == 403
    left = as_ada("DELETE", f"/events/{event_id}/registrations/{ada}")
    assert (left.status_code, left.json()["promotedUserId"]) == (200, bob)


def test_users_read_only_their_own_registrations(cognito_server, organizer):
    event_id = an_event(organizer, capacity=5)
    ada, as_ada = signed_up(cognito_server)
    bob, _ = signed_up(cognito_server)
    as_ada("POST", f"/events/{event_id}/registrations", {"userId": ada})

    mine = as_ada("GET", f"/users/{ada}/registrations")
    assert [r["eventId"] for r in mine.json()["registrations"]] == [event_id]
    assert as_ada("GET", f"/users/{bob}/registrations").status_code == 403
    assert as_ada("GET", f"/users/{bob}").status_code == 403
    assert as_ada("GET", f"/events/{event_id}/registrations").status_code == 403


def test_only_the_organizer_group_manages_events(cognito_server, organizer):
    event_id = an_event(organizer)
    default_group = Client(cognito_server.url, f"{unique('user')}; groups=organizers")
    path = f"/events/{event_id}"

    refused = [
        default_group("POST", "/events", event_body()),
        default_group("PUT", path, {"title": "Taken over"}),
        default_group("PUT", f"{path}/waitlist", {"waitlistEnabled": False}),
        default_group("GET", f"{path}/registrations"),
        default_group("DELETE", path),
    ]
    assert [(r.status_code, r.json()) for r in refused] == [(403, {"detail": "Forbidden"})] * 5
    assert default_group("GET", path).json()["title"] == "Test event"

    assert organizer("PUT", path, {"title": "Renamed"}).json()["title"] == "Renamed"
    assert organizer("PUT", f"{path}/waitlist", {"waitlistEnabled": False}).status_code == 200
    assert organizer("GET", f"{path}/registrations").status_code == 200
    assert organizer("DELETE", path).status_code == 200


def test_the_identity_header_means_nothing_to_the_default_server(api_url):
    # The session's server runs AuthMode NONE: no rules, and no claims from the header.
    someone = Client(api_url, f"{unique('user')}; groups=nothing")
    user_id = unique("user")
    assert someone("POST", "/users", {"userId": user_id, "name": "Open"}).status_code == 201
    assert someone("GET", f"/users/{user_id}").status_code == 200


def test_an_organizer_manages_only_their_own_events_until_an_administrator_hands_one_over(
    cognito_server, organizer
):
    # The review's finding: olga's event, read, renamed, toggled and deleted by oscar (all 200).
    olga = organizer
    oscar = Client(cognito_server.url, f"{unique('org')}; groups={ORGANIZERS}")
    admin = Client(cognito_server.url, f"{unique('admin')}; groups=admins")
    event_id = an_event(olga)
    path = f"/events/{event_id}"

    refused = [
        oscar("GET", f"{path}/registrations"),
        oscar("PUT", path, {"title": "Taken over"}),
        oscar("PUT", f"{path}/waitlist", {"waitlistEnabled": False}),
        oscar("PUT", f"{path}/owner", {"ownerId": "oscar"}),
        oscar("DELETE", path),
    ]
    assert [(r.status_code, r.json()) for r in refused] == [(403, {"detail": "Forbidden"})] * 5
    assert oscar("GET", path).json()["title"] == "Test event"

    oscar_id = oscar.headers[HEADER].split(";")[0]
    handed = admin("PUT", f"{path}/owner", {"ownerId": oscar_id})
    assert (handed.status_code, handed.json()["ownerId"]) == (200, oscar_id)
    assert olga("PUT", path, {"title": "Mine again"}).status_code == 403
    assert oscar("PUT", path, {"title": "Oscar's now"}).json()["title"] == "Oscar's now"
    assert oscar("DELETE", path).status_code == 200
