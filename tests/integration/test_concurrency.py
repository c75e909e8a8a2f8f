"""Real parallel requests against one small event, then every invariant checked from the tables.

Each scenario runs where it proves something (backends.py). All of them in-process on DynamoDB
Local: the race logic. Through the AWS conflict model, those where writes meet on the event item
while a transaction holds it, which AWS cancels and DynamoDB Local never does: people leaving
and being promoted (hundreds of cancelled transactions per run), an edit or a delete racing the
admission batches, and the crowd with a waitlist, whose one-writer admission exists to avoid
those conflicts. (The other registration races go through the same admission; concurrent deletes
are single-item writes that meet no transaction: there the model would only add latency.) Over
HTTP, end to end through the local API server: the crowd with a waitlist (202, Location, the
admission stream) and the mixed storm. The Given is laid directly on DynamoDB Local; only the
When runs on the backend.

Outcomes are asserted, never timings: exactly `capacity` people get in, the queue is FIFO, nobody
holds two places, and every request gets one of the answers the contract promises. A 503 with
Retry-After (busy after retries, nothing written) is one of them under contention: the request
is sent again, as a client would, and the final answers are checked. Any other 5xx fails.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial

import pytest

from tests.support.invariants import assert_invariants, read_event_state

from .backends import runs_on
from .drivers import Api, Reply, answered
from .factories import create_event, create_users

pytestmark = pytest.mark.integration

CROWD = 60
FULL = "Event is full"
ALREADY = "Already registered for this event"
NOT_REGISTERED = "Not registered for this event"


def _no_server_errors(replies: Sequence[Reply]) -> None:
    errors = [r for r in replies if r.status >= 500]
    assert not errors, f"{len(errors)} server errors among {dict(_outcomes(replies))}, e.g. {errors[:2]}"


def _outcomes(replies: Sequence[Reply]) -> Counter[tuple[int, str]]:
    """(status, registration status or error detail) of each reply, counted."""
    return Counter((r.status, r.body.get("status") or r.detail) for r in replies)


def _register_all(api: Api, event_id: str, user_ids: Sequence[str]) -> list[Reply]:
    """Everyone at once, each with the answer it ends up with (see drivers.answered)."""
    return answered(api, [partial(api.register, event_id, u) for u in user_ids])


def _people_in_line(given: Api, capacity: int, people: int) -> tuple[str, list[str]]:
    """An event with a waitlist, and `people` new users registered one at a time: the first
    `capacity` of them hold a spot, the others wait in that order."""
    event_id = create_event(given, capacity=capacity, waitlistEnabled=True)
    user_ids = create_users(given, people)
    for user_id in user_ids:
        assert given.register(event_id, user_id).status == 201
    return event_id, user_ids


def _arrived_before_everyone_waiting(ddb_client, event_id: str, promoted: set[str]) -> None:
    """FIFO across promotions: each promoted person joined the queue before all who still wait."""
    state = read_event_state(ddb_client, event_id)
    rows = {r["userId"]: r for r in state.rows}
    assert promoted <= set(state.registered)
    if promoted and state.waitlisted:
        # arrival: registeredAt, then the queue key that orders the people of one batch
        last_promoted = max(_arrival(rows[u]) for u in promoted)
        first_waiting = min(_arrival(rows[u]) for u in state.waitlisted)
        assert last_promoted < first_waiting


def _arrival(row: dict) -> tuple[str, str]:
    return row["registeredAt"], row.get("queueKey", "")


@runs_on("in-process")
def test_crowd_racing_for_a_small_event_without_waitlist(backend, ddb_client):
    # Given an event of capacity 5 without a waitlist, and CROWD people
    with backend.given() as given:
        event_id = create_event(given, capacity=5, waitlistEnabled=False)
        people = create_users(given, CROWD)

    # When all of them register at once
    replies = _register_all(backend.api, event_id, people)

    # Then exactly five got in, everyone else was told it is full
    _no_server_errors(replies)
    assert _outcomes(replies) == {(201, "registered"): 5, (409, FULL): CROWD - 5}
    winners = {u for u, r in zip(people, replies, strict=True) if r.status == 201}
    state = read_event_state(ddb_client, event_id)
    assert set(state.registered) == winners
    assert state.waitlisted == []
    assert_invariants(ddb_client, event_id)


@runs_on("in-process", "aws-model", "http")
def test_crowd_racing_for_a_small_event_with_waitlist(backend, ddb_client):
    # Given an event of capacity 5 with a waitlist, and CROWD people
    with backend.given() as given:
        event_id = create_event(given, capacity=5, waitlistEnabled=True)
        people = create_users(given, CROWD)

    # When all of them register at once
    replies = _register_all(backend.api, event_id, people)

    # Then five got in and everyone else queued, with positions 1..n handed out once each
    _no_server_errors(replies)
    assert _outcomes(replies) == {(201, "registered"): 5, (201, "waitlisted"): CROWD - 5}
    positions = {
        u: r.body["waitlistPosition"]
        for u, r in zip(people, replies, strict=True)
        if r.body.get("waitlistPosition")
    }
    assert sorted(positions.values()) == list(range(1, CROWD - 5 + 1))

    # And the queue in the tables is the order of the positions people were told
    state = read_event_state(ddb_client, event_id)
    assert state.waitlisted == sorted(positions, key=positions.__getitem__)
    assert state.positions == positions
    assert set(state.registered) == {
        u for u, r in zip(people, replies, strict=True) if r.body["status"] == "registered"
    }
    assert_invariants(ddb_client, event_id)


@runs_on("in-process")
@pytest.mark.parametrize("already_full", [False, True], ids=["spot-free", "waitlist"])
def test_same_user_racing_themself_gets_exactly_one_place(backend, ddb_client, already_full):
    # Given an event with free spots, or one that is full with a waitlist
    with backend.given() as given:
        event_id, _ = _people_in_line(given, capacity=5, people=5 if already_full else 0)
        (user_id,) = create_users(given, 1)

    # When the same user registers 50 times at once
    replies = _register_all(backend.api, event_id, [user_id] * 50)

    # Then one request won and the other 49 were told they already are registered
    _no_server_errors(replies)
    expected = "waitlisted" if already_full else "registered"
    assert _outcomes(replies) == {(201, expected): 1, (409, ALREADY): 49}
    state = read_event_state(ddb_client, event_id)
    assert [r["userId"] for r in state.rows].count(user_id) == 1
    assert (state.event or {})["waitlistSeqNext"] == (2 if already_full else 1)  # one ticket taken
    assert_invariants(ddb_client, event_id, user_ids=(user_id,))


@runs_on("in-process", "aws-model")
def test_parallel_unregistrations_promote_the_head_of_the_waitlist_in_order(backend, ddb_client):
    # Given 50 registered and 20 more waiting, queued one at a time
    capacity, extra = 50, 20
    with backend.given() as given:
        event_id = create_event(given, capacity=capacity, waitlistEnabled=True)
        people = create_users(given, capacity + extra)
        _register_all(given, event_id, people[:capacity])
        for user_id in people[capacity:]:
            assert given.register(event_id, user_id).status == 201
    queue = read_event_state(ddb_client, event_id).waitlisted
    assert queue == people[capacity:]

    # When the 50 registered leave at once
    api = backend.api
    replies = answered(api, [partial(api.unregister, event_id, u) for u in people[:capacity]])

    # Then each freed spot went to the head of the queue: the 20 waiting are all in, in order
    _no_server_errors(replies)
    assert {r.status for r in replies} == {200}
    promoted = [r.body["promotedUserId"] for r in replies if r.body["promotedUserId"]]
    assert sorted(promoted) == sorted(queue)
    state = read_event_state(ddb_client, event_id)
    assert set(state.registered) == set(queue)
    rows = {r["userId"]: r for r in state.rows}
    promoted_at = [rows[u]["promotedAt"] for u in queue]
    assert promoted_at == sorted(promoted_at), "promotions did not follow the queue order"
    assert_invariants(ddb_client, event_id)


@runs_on("in-process", "aws-model")
def test_parallel_unregistrations_promote_exactly_the_head_of_a_longer_queue(backend, ddb_client):
    # Given 10 registered and 50 waiting, queued one at a time
    capacity, waiting = 10, 50
    with backend.given() as given:
        event_id, people = _people_in_line(given, capacity, capacity + waiting)
    queue = people[capacity:]

    # When the 10 registered and 40 of the waiting (all but the first 5 and the last 5) leave at once
    leaving = people[:capacity] + queue[5:45]
    api = backend.api
    replies = answered(api, [partial(api.unregister, event_id, u) for u in leaving])

    # Then the 10 spots went to the 10 earliest people still in line, in queue order
    _no_server_errors(replies)
    assert {r.status for r in replies} == {200}
    state = read_event_state(ddb_client, event_id)
    assert set(state.registered) == set(queue[:5] + queue[45:])
    assert state.waitlisted == []
    rows = {r["userId"]: r for r in state.rows}
    promoted_at = [rows[u]["promotedAt"] for u in queue[:5] + queue[45:]]
    assert promoted_at == sorted(promoted_at), "promotions did not follow the queue order"
    assert_invariants(ddb_client, event_id)


@runs_on("in-process", "aws-model")
def test_capacity_raised_while_people_register(backend, ddb_client):
    # Given an event of capacity 5 with a waitlist, and CROWD people
    with backend.given() as given:
        event_id = create_event(given, capacity=5, waitlistEnabled=True)
        people = create_users(given, CROWD)

    # When they all register while one organizer raises the capacity to 20 and another edits it
    api = backend.api
    edits = {20: {"capacity": 20}, 40: {"title": "Bigger room", "location": "Hall B"}}
    calls: list[Callable[[], Reply]] = [partial(api.register, event_id, u) for u in people]
    for index, changes in edits.items():
        calls.insert(index, partial(api.update_event, event_id, changes))
    replies = answered(api, calls)

    # Then every request succeeded, and the final capacity is filled from the front of the queue
    _no_server_errors(replies)
    assert [replies[i].status for i in edits] == [200, 200]
    registrations = [r for i, r in enumerate(replies) if i not in edits]
    assert {r.status for r in registrations} == {201}
    state = read_event_state(ddb_client, event_id)
    assert {k: (state.event or {})[k] for k in ("capacity", "title", "location")} == {
        "capacity": 20,
        "title": "Bigger room",
        "location": "Hall B",
    }
    assert (len(state.registered), len(state.waitlisted)) == (20, CROWD - 20)
    joined_queue = {u for u, r in zip(people, registrations, strict=True) if r.body["status"] == "waitlisted"}
    _arrived_before_everyone_waiting(ddb_client, event_id, joined_queue & set(state.registered))
    assert_invariants(ddb_client, event_id)


@runs_on("in-process", "aws-model", "http")
def test_mixed_storm_of_registrations_and_unregistrations(backend, ddb_client):
    # Given an event of capacity 5: five registered, fifteen waiting, and thirty newcomers
    with backend.given() as given:
        event_id, members = _people_in_line(given, capacity=5, people=20)
        newcomers = create_users(given, 30)
        strangers = create_users(given, 3)
    registered, waiting = members[:5], members[5:]

    # When, all at once: newcomers register (five of them twice), three registered people and
    # five waiting people leave (two of them twice), and strangers try to leave
    api = backend.api
    leavers = registered[:3] + waiting[2:7]
    calls: list[tuple[str, str]] = [("register", u) for u in newcomers + newcomers[:5]]
    calls += [("unregister", u) for u in leavers + leavers[:1] + leavers[-1:] + strangers]
    replies = answered(api, [partial(getattr(api, op), event_id, u) for op, u in calls])

    # Then nothing failed on the server side, and each request got one of its legitimate answers
    _no_server_errors(replies)
    by_call: dict[tuple[str, str], list[Reply]] = {}
    for call, reply in zip(calls, replies, strict=True):
        by_call.setdefault(call, []).append(reply)
    for user_id in newcomers:
        statuses = sorted(
            (r.status, r.body.get("status") or r.detail) for r in by_call[("register", user_id)]
        )
        assert statuses[0][0] == 201
        assert statuses[1:] in ([], [(409, ALREADY)])
    for user_id in leavers:
        assert sorted(r.status for r in by_call[("unregister", user_id)]) in ([200], [200, 404])
    for user_id in strangers:
        assert [(r.status, r.detail) for r in by_call[("unregister", user_id)]] == [(404, NOT_REGISTERED)]

    # And the tables hold exactly the people who did not leave, the event full, the queue FIFO
    state = read_event_state(ddb_client, event_id)
    assert {r["userId"] for r in state.rows} == set(members + newcomers) - set(leavers)
    assert len(state.registered) == 5
    assert len(state.waitlisted) == len(members) + len(newcomers) - len(leavers) - 5
    promoted = set(state.registered) - set(registered)
    _arrived_before_everyone_waiting(ddb_client, event_id, promoted)
    assert_invariants(ddb_client, event_id, user_ids=tuple(leavers))


@runs_on("in-process", "aws-model")
def test_event_deleted_during_a_registration_storm_leaves_nothing_behind(backend, ddb_client):
    # Given an event of capacity 5: five registered, fifteen waiting, and forty newcomers
    with backend.given() as given:
        event_id, members = _people_in_line(given, capacity=5, people=20)
        newcomers = create_users(given, 40)

    # When, all at once: newcomers register, ten members leave, and the organizer deletes the event
    api = backend.api
    calls: list[Callable[[], Reply]] = [partial(api.register, event_id, u) for u in newcomers]
    calls += [partial(api.unregister, event_id, u) for u in members[:10]]
    calls.insert(25, partial(api.delete_event, event_id))
    replies = answered(api, calls)

    # Then the delete succeeded, everything else either landed before it or found the event gone
    _no_server_errors(replies)
    deleted, others = replies[25], replies[:25] + replies[26:]
    assert (deleted.status, deleted.body["eventId"]) == (200, event_id)
    assert {r.status for r in others} <= {200, 201, 404}
    assert {r.detail for r in others if r.status == 404} <= {"Event not found"}

    # And no registration survived it, for anyone
    assert read_event_state(ddb_client, event_id).rows == []
    assert api.get_event(event_id).status == 404
    assert_invariants(ddb_client, event_id, user_ids=tuple(members + newcomers))


@runs_on("in-process")
def test_concurrent_deletes_of_one_event_answer_once_and_never_fail(backend, ddb_client):
    # Given an event with 60 registrations (so purging it takes a few batches)
    with backend.given() as given:
        event_id, _ = _people_in_line(given, capacity=30, people=60)

    # When 50 deletes of it arrive at once
    api = backend.api
    replies = answered(api, [partial(api.delete_event, event_id)] * 50)

    # Then the event is gone with all its registrations...
    assert read_event_state(ddb_client, event_id).rows == []
    assert read_event_state(ddb_client, event_id).event is None

    # ...and the one delete that removed it says so while the others find nothing to delete
    _no_server_errors(replies)
    assert _outcomes(replies) == {(200, None): 1, (404, "Event not found"): 49}
