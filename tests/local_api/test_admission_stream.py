"""The admission queue on the local server: a registration answered 202 is admitted by
AdmissionFunction, which the registrations table's stream invokes (FilterCriteria applied, as
on AWS: only new queue items reach it), and its answer is read at the 202's Location."""

from __future__ import annotations

from typing import Any

import requests

from event_core.store import admission
from tests.domain_events.local_events import LocalEvents
from tests.support.bodies import event_body, unique

TIMEOUT = 60


def call(method: str, url: str, body: dict[str, Any] | None = None, status: int = 200) -> requests.Response:
    response = requests.request(method, url, json=body, timeout=TIMEOUT)
    assert response.status_code == status, response.text
    return response


def new_event_and_user(api_url: str) -> tuple[str, str]:
    event_id, user_id = unique("adm-event"), unique("adm-user")
    body = event_body(eventId=event_id, waitlistEnabled=True)
    call("POST", f"{api_url}/events", body, status=201)
    call("POST", f"{api_url}/users", {"userId": user_id, "name": "Queued"}, status=201)
    return event_id, user_id


def admission_invocations(local: LocalEvents) -> int:
    (source,) = [
        s
        for s in local.streams()["sources"]
        if s["function"] == "AdmissionFunction" and s["table"] == "RegistrationsTable"
    ]
    assert source["table"] == "RegistrationsTable"
    return int(source["invocations"])


def test_get_registration_is_served(api_url):
    # Given someone registered
    event_id, user_id = new_event_and_user(api_url)
    call("POST", f"{api_url}/events/{event_id}/registrations", {"userId": user_id}, status=201)

    # When their registration is read
    body = call("GET", f"{api_url}/events/{event_id}/registrations/{user_id}").json()

    # Then it is their place
    assert (body["eventId"], body["userId"], body["status"]) == (event_id, user_id, "registered")


def test_a_queued_registration_is_admitted_by_the_admission_function(api_url, local_env, ddb_client):
    # Given another writer holds the event in a rush (more queued than a batch): new requests
    # are answered 202 at once. It holds the lease until it is done (below), however long the
    # register function takes to start.
    local = LocalEvents(api_url)
    event_id, user_id = new_event_and_user(api_url)
    local.drain()
    before = admission_invocations(local)
    assert admission.take_lease(event_id, "another-writer", 600.0)
    ddb_client.update_item(
        TableName="EventsTable",
        Key={"eventId": {"S": event_id}},
        UpdateExpression="SET backlogged = :on",
        ExpressionAttributeValues={":on": {"BOOL": True}},
    )

    # When someone registers
    pending = call("POST", f"{api_url}/events/{event_id}/registrations", {"userId": user_id}, status=202)

    # Then they are told where to ask; once the other writer is done and the stream is processed
    # (the admission function waits for the lease, then admits the queue) the answer is there
    assert pending.json()["status"] == "pending"
    location = pending.headers["Location"]
    assert location.startswith(f"/events/{event_id}/registrations/{user_id}?request=")
    admission.release_lease(event_id, "another-writer")
    local.drain()
    placed = call("GET", f"{api_url}{location}").json()
    assert (placed["userId"], placed["status"]) == (user_id, "registered")
    # only the queue item's INSERT reached the function: not the row it wrote, nor the queue
    # item's removal
    assert admission_invocations(local) - before == 1
    event = call("GET", f"{api_url}/events/{event_id}").json()
    assert event["registeredCount"] == 1
