"""Domain events end to end on the local server: API calls -> DynamoDB Local streams -> the
stream processor (warm worker, Lambda's stream event shape) -> EventBridge (the local server's
moto) -> a catch-all rule's queue, read at GET /_local/events. (PutEvents refusing some entries,
and the retry from the failed record, are tests/domain_events/test_processor.py's.)

Each step drains the streams before looking, so the events of a step are exactly those of its
API calls. Changes to the two tables travel in separate streams (and one write can touch both),
so within a step that spans both tables, or one transaction, order is not promised and the step
is compared as a set; steps themselves are in order.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import requests
from domain_event_schemas import SCHEMAS_DIR

from tests.support import bodies

from .local_events import LocalEvents, summary, unique

TIMEOUT = 60


@pytest.fixture(scope="module")
def local(api_url: str) -> LocalEvents:
    return LocalEvents(api_url)


def call(method: str, url: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
    response = requests.request(method, url, json=body, timeout=TIMEOUT)
    assert response.status_code == status, response.text
    return response.json()


def new_event(api_url: str, capacity: int, waitlist: bool = True) -> str:
    body = bodies.event_body(capacity=capacity, waitlistEnabled=waitlist)
    call("POST", f"{api_url}/events", body, status=201)
    return str(body["eventId"])


def new_users(api_url: str, *names: str) -> dict[str, str]:
    users = {name: bodies.unique(name) for name in names}
    for user_id in users.values():
        call("POST", f"{api_url}/users", {"userId": user_id, "name": user_id}, status=201)
    return users


class Steps:
    """Checks a scenario step by step against what the local bus received."""

    def __init__(self, local: LocalEvents, event_id: str) -> None:
        self.local = local
        self.event_id = event_id
        self.seen = 0

    def expect(self, *expected: tuple[str, ...], ordered: bool = True) -> None:
        self.local.drain()
        events = unique(self.local.published(self.event_id))
        step = [summary(e) for e in events[self.seen :]]
        self.seen = len(events)
        if ordered:
            assert step == list(expected)
        else:
            assert sorted(step) == sorted(expected)


def test_register_fill_promote_cancel_delete_publishes_exactly_these_events(api_url, local):
    event_id = new_event(api_url, capacity=2)
    u = new_users(api_url, "ana", "ben", "cleo", "dan", "eve")
    steps = Steps(local, event_id)
    register = f"{api_url}/events/{event_id}/registrations"

    # Creating the event publishes nothing
    steps.expect()

    # ana and ben take the two spots
    for name in ("ana", "ben"):
        call("POST", register, {"userId": u[name]}, status=201)
    steps.expect(("RegistrationConfirmed", u["ana"]), ("RegistrationConfirmed", u["ben"]))

    # cleo, dan and eve fill the waitlist, in order
    for name in ("cleo", "dan", "eve"):
        call("POST", register, {"userId": u[name]}, status=201)
    steps.expect(("Waitlisted", u["cleo"]), ("Waitlisted", u["dan"]), ("Waitlisted", u["eve"]))

    # ana leaves: cleo is promoted in the same transaction
    answer = call("DELETE", f"{register}/{u['ana']}")
    assert answer["promotedUserId"] == u["cleo"]
    steps.expect(("Unregistered", u["ana"], "registered"), ("PromotedFromWaitlist", u["cleo"]), ordered=False)

    # The capacity rises to 3: dan, next in line, is promoted; the edit itself is an update
    call("PUT", f"{api_url}/events/{event_id}", {"capacity": 3})
    steps.expect(("PromotedFromWaitlist", u["dan"]), ("EventUpdated", "capacity:2->3"), ordered=False)

    # eve gives up her place in the waitlist
    call("DELETE", f"{register}/{u['eve']}")
    steps.expect(("Unregistered", u["eve"], "waitlisted"))

    # Registrations move counters on the event item: still no EventUpdated. The organizer
    # closes the waitlist, then cancels.
    call("PUT", f"{api_url}/events/{event_id}/waitlist", {"waitlistEnabled": False})
    steps.expect(("EventUpdated", "waitlistEnabled:True->False"))
    call("PUT", f"{api_url}/events/{event_id}", {"status": "cancelled"})
    steps.expect(("EventCancelled",))

    # Deleting announces the deletion once; the three registrations it purges are not
    # announced one by one, and removing the tombstone publishes nothing
    call("DELETE", f"{api_url}/events/{event_id}")
    steps.expect(("EventDeleted",))

    # Every delivery is a valid event of its schema, and no id stands for two different events
    delivered = local.published(event_id)
    by_id: dict[str, dict[str, Any]] = {}
    for event in delivered:
        validate(event)
        assert by_id.setdefault(event["detail"]["id"], event["detail"]) == event["detail"]
    deleted = unique(delivered)[-1]["detail"]["data"]
    assert (deleted["lastStatus"], deleted["registeredCount"], deleted["waitlistCount"]) == (
        "cancelled",
        3,
        0,
    )


def test_draining_paused_streams_is_refused(api_url, local):
    local.pause()
    try:
        response = requests.post(f"{api_url}/_local/streams/drain", timeout=TIMEOUT)
    finally:
        local.resume()
    assert response.status_code == 409


def validate(event: dict[str, Any]) -> None:
    schema = json.loads((SCHEMAS_DIR / f"{event['detail-type']}.json").read_text())
    jsonschema.validate(event, schema, cls=jsonschema.Draft202012Validator)
