"""The API's stories end to end over HTTP, through the local API server, one request at a time."""

from __future__ import annotations

import pytest

from tests.support.bodies import event_body, unique
from tests.support.invariants import assert_invariants

from .drivers import HttpApi
from .factories import create_event, create_users

pytestmark = [pytest.mark.integration, pytest.mark.http]


@pytest.fixture
def api(http_api: HttpApi) -> HttpApi:
    return http_api


def _event_lists(api: HttpApi, event_id: str) -> tuple[list[str], list[tuple[str, int]]]:
    reply = api.event_registrations(event_id)
    assert reply.status == 200, reply
    registered = [r["userId"] for r in reply.body["registered"]]
    waitlisted = [(r["userId"], r["waitlistPosition"]) for r in reply.body["waitlisted"]]
    return registered, waitlisted


def _user_list(api: HttpApi, user_id: str) -> list[tuple[str, str, int | None]]:
    reply = api.user_registrations(user_id)
    assert reply.status == 200, reply
    return [(r["eventId"], r["status"], r.get("waitlistPosition")) for r in reply.body["registrations"]]


def test_event_with_waitlist_from_creation_to_deletion(api, ddb_client):
    # Given an event of capacity 2 with a waitlist, and five people
    created = api.create_event(event_body(capacity=2, waitlistEnabled=True, title="Seed flow"))
    assert created.status == 201
    assert (created.body["registeredCount"], created.body["waitlistCount"]) == (0, 0)
    event_id = created.body["eventId"]
    ann, bob, cid, dee, eve = create_users(api, 5)

    # When two register, the event is full
    for user_id in (ann, bob):
        reply = api.register(event_id, user_id)
        assert (reply.status, reply.body["status"]) == (201, "registered")
        assert "waitlistPosition" not in reply.body
    assert api.get_event(event_id).body["registeredCount"] == 2

    # When three more register, they queue in arrival order
    for position, user_id in enumerate((cid, dee, eve), start=1):
        reply = api.register(event_id, user_id)
        assert (reply.status, reply.body["status"], reply.body["waitlistPosition"]) == (
            201,
            "waitlisted",
            position,
        )
    assert _event_lists(api, event_id) == ([ann, bob], [(cid, 1), (dee, 2), (eve, 3)])

    # When someone registered or waiting registers again, it is refused
    for user_id in (ann, dee):
        reply = api.register(event_id, user_id)
        assert (reply.status, reply.detail) == (409, "Already registered for this event")

    # When a registered person leaves, the head of the queue takes the spot
    reply = api.unregister(event_id, ann)
    assert (reply.status, reply.body["promotedUserId"]) == (200, cid)
    assert _event_lists(api, event_id) == ([bob, cid], [(dee, 1), (eve, 2)])

    # When someone leaves the queue, everyone behind moves up
    reply = api.unregister(event_id, dee)
    assert (reply.status, reply.body["promotedUserId"]) == (200, None)
    assert _event_lists(api, event_id) == ([bob, cid], [(eve, 1)])
    assert _user_list(api, eve) == [(event_id, "waitlisted", 1)]
    assert _user_list(api, cid) == [(event_id, "registered", None)]

    # When the person who left comes back, they join the end of the queue
    reply = api.register(event_id, ann)
    assert (reply.status, reply.body["status"], reply.body["waitlistPosition"]) == (201, "waitlisted", 2)
    event = api.get_event(event_id).body
    assert (event["registeredCount"], event["waitlistCount"]) == (2, 2)
    assert_invariants(ddb_client, event_id, user_ids=(ann, bob, cid, dee, eve))

    # When the event is deleted
    reply = api.delete_event(event_id)
    assert (reply.status, reply.body["eventId"]) == (200, event_id)

    # Then it is gone, and nobody's list shows it any more
    assert api.get_event(event_id).status == 404
    assert api.event_registrations(event_id).status == 404
    assert (api.register(event_id, dee).status, api.unregister(event_id, bob).status) == (404, 404)
    for user_id in (ann, bob, cid, dee, eve):
        assert _user_list(api, user_id) == []
    assert_invariants(ddb_client, event_id, user_ids=(ann, bob, cid, dee, eve))


def test_event_without_waitlist_turns_people_away_until_a_spot_frees(api, ddb_client):
    # Given a full event of capacity 1 without a waitlist
    event_id = create_event(api, capacity=1)
    holder, late = create_users(api, 2)
    assert api.register(event_id, holder).status == 201

    # When someone else registers, then the holder leaves and they try again
    refused = api.register(event_id, late)
    left = api.unregister(event_id, holder)
    retried = api.register(event_id, late)

    # Then they were turned away, nobody was promoted, and the second attempt got the spot
    assert (refused.status, refused.detail) == (409, "Event is full")
    assert (left.status, left.body["promotedUserId"]) == (200, None)
    assert (retried.status, retried.body["status"]) == (201, "registered")
    assert _event_lists(api, event_id) == ([late], [])
    assert_invariants(ddb_client, event_id)


def test_organizer_changes_promote_from_the_queue_and_close_it(api, ddb_client):
    # Given an event of capacity 1 with four people waiting
    event_id = create_event(api, capacity=1, waitlistEnabled=True)
    people = create_users(api, 6)
    for user_id in people[:5]:
        assert api.register(event_id, user_id).status == 201

    # When the capacity is raised to 3
    raised = api.update_event(event_id, {"capacity": 3})

    # Then the two at the head of the queue are in, and the others moved up
    assert (raised.status, raised.body["registeredCount"], raised.body["waitlistCount"]) == (200, 3, 2)
    registered, waitlisted = _event_lists(api, event_id)
    assert sorted(registered) == sorted(people[:3])  # the two promoted together share a timestamp
    assert waitlisted == [(people[3], 1), (people[4], 2)]

    # When the waitlist is closed, people waiting keep their place but nobody new can join
    closed = api.call("PUT", f"/events/{event_id}/waitlist", json={"waitlistEnabled": False})
    assert (closed.status, closed.body["waitlistEnabled"]) == (200, False)
    refused = api.register(event_id, people[5])
    assert (refused.status, refused.detail) == (409, "Event is full")

    # And a freed spot still goes to the head of the queue
    assert api.unregister(event_id, people[0]).body["promotedUserId"] == people[3]
    registered, waitlisted = _event_lists(api, event_id)
    assert (sorted(registered), waitlisted) == (sorted(people[1:4]), [(people[4], 1)])

    # And a capacity below the registered count is refused
    lowered = api.update_event(event_id, {"capacity": 2})
    assert (lowered.status, lowered.detail) == (
        409,
        "Capacity cannot be lower than the number of registered attendees",
    )
    assert_invariants(ddb_client, event_id)


def test_lists_page_with_next_tokens(api, ddb_client):
    # Given an event of capacity 3 with four waiting, and a user holding places at three events
    event_id = create_event(api, capacity=3, waitlistEnabled=True)
    people = create_users(api, 7)
    for user_id in people:
        assert api.register(event_id, user_id).status == 201
    others = [create_event(api, capacity=5) for _ in range(2)]
    for other in others:
        assert api.register(other, people[-1]).status == 201

    # When both lists are read two entries at a time
    event_pages, token = [], None
    while True:
        page = api.event_registrations(event_id, limit=2, token=token).body
        event_pages.append(page)
        token = page.get("nextToken")
        if not token:
            break
    user_pages, token = [], None
    while True:
        page = api.user_registrations(people[-1], limit=2, token=token).body
        user_pages.append(page)
        token = page.get("nextToken")
        if not token:
            break

    # Then the pages add up to the whole lists, in order, positions continuing across pages
    assert all(len(p["registered"]) + len(p["waitlisted"]) <= 2 for p in event_pages)
    assert [r["userId"] for p in event_pages for r in p["registered"]] == people[:3]
    waitlisted = [(r["userId"], r["waitlistPosition"]) for p in event_pages for r in p["waitlisted"]]
    assert waitlisted == [(u, n) for n, u in enumerate(people[3:], start=1)]
    listed = [(r["eventId"], r["status"]) for p in user_pages for r in p["registrations"]]
    assert listed == [(event_id, "waitlisted"), (others[0], "registered"), (others[1], "registered")]
    assert all(p["count"] <= 2 for p in user_pages)

    # And a token cannot be replayed against another list
    token = event_pages[0]["nextToken"]
    replayed = api.event_registrations(others[0], limit=2, token=token)
    assert (replayed.status, replayed.detail) == (400, "Invalid nextToken")
    assert_invariants(ddb_client, event_id, *others, user_ids=(people[-1],))


def test_requests_for_missing_or_duplicate_things_are_refused(api):
    # Given an event and a user
    event_id = create_event(api)
    (user_id,) = create_users(api, 1)
    missing_event, missing_user = unique("missing"), unique("missing")

    # When / Then
    assert (api.register(missing_event, user_id).status, api.register(missing_event, user_id).detail) == (
        404,
        "Event not found",
    )
    assert api.register(event_id, missing_user).detail == "User not found"
    assert api.register(event_id, missing_user).status == 404
    assert (api.unregister(event_id, user_id).status, api.unregister(event_id, user_id).detail) == (
        404,
        "Not registered for this event",
    )
    duplicate_event = api.create_event(event_body(eventId=event_id, title="Impostor"))
    assert (duplicate_event.status, duplicate_event.detail) == (409, "Event already exists")
    assert api.get_event(event_id).body["title"] == "Test event"
    duplicate_user = api.create_user(user_id, name="Impostor")
    assert (duplicate_user.status, duplicate_user.detail) == (409, "User already exists")
    assert api.user_registrations(missing_user).status == 404
