"""Operations that take more than one DynamoDB write finish, whatever happens to their request
(issue: a capacity raise left half-done behind a 503, a delete that died leaving a blocked id).

Each runs against DynamoDB Local and through the AWS conflict model in front of it. The request
dies at a chosen write (a deterministic fault point, not a sleep); then what the streams' function
does runs, and the tables must hold every invariant: counts equal rows, nobody waiting while a
spot is free, no orphan registration, no queue left behind, no blocked id.
"""

from __future__ import annotations

from typing import Any

import pytest

from event_core import admission, events
from event_core.errors import PreconditionFailed
from event_core.models.events import EventCreate
from event_core.store import registrations as registrations_store
from event_core.store import retry
from event_core.store.transactions import TransactionCancelled
from tests.support.bodies import event_body
from tests.support.builders import a_crowd_registered, some_users
from tests.support.fault_points import dying_at
from tests.support.invariants import (
    assert_invariants,
    queue_items,
    read_event_item,
    read_event_state,
    registration_rows,
)

from .drivers import InProcessApi, on_endpoint

pytestmark = pytest.mark.integration

WAITING = 95  # more than one transaction promotes (90)


@pytest.fixture(params=["dynamodb-local", "aws-model"])
def backend(request: pytest.FixtureRequest) -> InProcessApi:
    """event_core in this process, on DynamoDB Local or through the AWS conflict model."""
    name = "in_process_api" if request.param == "dynamodb-local" else "in_process_aws_api"
    return request.getfixturevalue(name)


@pytest.fixture
def crowded_event(backend: InProcessApi, ddb_endpoint: str) -> tuple[str, dict[str, Any]]:
    """Capacity 1: one attendee and WAITING people in line. Seeded on DynamoDB Local directly (the
    model's latencies would only slow the set-up), then the test runs on the backend's endpoint."""
    body = event_body(capacity=1, waitlistEnabled=True)
    with on_endpoint(ddb_endpoint):
        event_id = events.create_event(EventCreate.model_validate(body)).eventId
        a_crowd_registered(event_id, some_users(1 + WAITING))
    return event_id, body


@pytest.mark.parametrize("write", [0, 1])
def test_a_capacity_raise_killed_at_any_write_is_finished(crowded_event, ddb_client, monkeypatch, write):
    event_id, _ = crowded_event
    dying_at(monkeypatch, events, write, RuntimeError("the function was killed"))

    try:
        events.update_event(event_id, {"capacity": 200})
    except RuntimeError:
        pass  # killed
    else:  # the local server's admission function, woken by the note, left nothing to write
        assert write > 0
    monkeypatch.undo()
    admission.keep_admitting(event_id, seconds=60)  # the registrations stream's function

    assert_invariants(ddb_client, event_id)
    state = read_event_state(ddb_client, event_id)
    assert (len(state.registered), len(state.waitlisted)) == (
        (1, WAITING) if write == 0 else (1 + WAITING, 0)
    )
    assert queue_items(ddb_client, event_id) == []


def test_a_capacity_raise_that_stays_contended_answers_applied_and_is_finished(
    crowded_event, ddb_client, monkeypatch
):
    event_id, _ = crowded_event
    monkeypatch.setattr(retry.time, "sleep", lambda _: None)
    dying_at(monkeypatch, events, 1, TransactionCancelled(["ConditionalCheckFailed"]))

    stored = events.update_event(event_id, {"capacity": 200})
    monkeypatch.undo()

    # 202: applied, promotions go on; unless a writer woken by the note (the local server's
    # admission function reads this DynamoDB Local's stream too) already promoted everyone
    done = len(read_event_state(ddb_client, event_id).registered) == 1 + WAITING
    assert stored.promotions_pending or done
    assert stored.event.capacity == 200
    admission.keep_admitting(event_id, seconds=60)
    assert_invariants(ddb_client, event_id)
    assert len(read_event_state(ddb_client, event_id).registered) == 1 + WAITING


@pytest.mark.parametrize("step", ["purge", "tombstone removal"])
def test_a_delete_killed_at_any_step_is_finished_and_frees_the_id(
    crowded_event, ddb_client, monkeypatch, step
):
    event_id, body = crowded_event

    def killed(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the function was killed")

    target = (registrations_store, "purge_event") if step == "purge" else (events.events, "remove_tombstone")
    with monkeypatch.context() as patched:
        patched.setattr(*target, killed)
        with pytest.raises(RuntimeError):
            events.delete_event(event_id)

    monkeypatch.setattr(events, "STALE_DELETE_SECONDS", 0)  # the delete function's timeout passed
    assert events.finish_deletion(event_id, wait_seconds=10)  # the events stream's function

    assert registration_rows(ddb_client, event_id) == []
    assert queue_items(ddb_client, event_id) == []
    assert read_event_item(ddb_client, event_id) is None
    events.create_event(EventCreate.model_validate(body))  # the id is free
    assert_invariants(ddb_client, event_id)


def test_an_etag_never_matches_another_incarnation(backend, ddb_client):
    body = event_body(capacity=3)
    event_id = events.create_event(EventCreate.model_validate(body)).eventId
    stale = events.etag(events.get_event(event_id))
    events.delete_event(event_id)
    events.create_event(EventCreate.model_validate(body))

    with pytest.raises(PreconditionFailed):
        events.update_event(event_id, {"capacity": 5}, if_match=stale)
