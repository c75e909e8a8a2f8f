"""A change that opens more spots than one transaction fills: it always finishes (issue: a raise
left half-done with a 503). A note in the admission queue, written before anything else, makes
the queue's writer fill the rest, whether the request finishes it, gives up or dies."""

from __future__ import annotations

from typing import Any

import pytest

from event_core import admission, events
from event_core.store import retry
from event_core.store.transactions import TransactionCancelled
from tests.support.builders import a_crowd_registered, an_event, some_users
from tests.support.fault_points import dying_at
from tests.support.invariants import assert_invariants, queue_items

WAITING = 120


@pytest.fixture
def crowded_event(ddb: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Capacity 1, one attendee and WAITING people in line; retries do not sleep."""
    monkeypatch.setattr(retry.time, "sleep", lambda _: None)
    event_id = an_event(capacity=1, waitlist=True)
    a_crowd_registered(event_id, some_users(1 + WAITING))
    return event_id


def test_a_raise_finished_in_the_request_answers_done_and_leaves_no_note(ddb, crowded_event):
    stored = events.update_event(crowded_event, {"capacity": 100})

    assert not stored.promotions_pending
    tables = assert_invariants(ddb, crowded_event)
    assert (len(tables.registered), len(tables.waitlisted)) == (100, WAITING - 99)
    assert list(stored.promoted) == tables.registered[1:]  # named, in queue order, across writes
    assert queue_items(ddb, crowded_event) == []


def test_a_raise_whose_promotions_stay_contended_is_applied_and_finished_by_the_writer(
    ddb, crowded_event, monkeypatch
):
    # Given DynamoDB refuses every write after the first (the capacity and 90 promotions)
    dying_at(monkeypatch, events, 1, TransactionCancelled(["ConditionalCheckFailed"]))

    # When the capacity is raised to 100
    stored = events.update_event(crowded_event, {"capacity": 100})

    # Then the answer says the change applied and promotions go on (202, not a 503)
    assert stored.promotions_pending
    assert stored.event.capacity == 100
    monkeypatch.undo()

    # And the queue's writer (woken by the note) fills every spot, in queue order
    admission.keep_admitting(crowded_event, seconds=30)
    tables = assert_invariants(ddb, crowded_event)
    assert (len(tables.registered), len(tables.waitlisted)) == (100, WAITING - 99)
    assert queue_items(ddb, crowded_event) == []


@pytest.mark.parametrize("writes", [0, 1])
def test_a_raise_that_dies_at_any_write_is_finished_by_the_writer(ddb, crowded_event, monkeypatch, writes):
    # Given the request dies at its first or second write (the raise takes two)
    dying_at(monkeypatch, events, writes, RuntimeError("the function was killed"))

    # When the capacity is raised to 200
    with pytest.raises(RuntimeError):
        events.update_event(crowded_event, {"capacity": 200})
    monkeypatch.undo()

    # Then the note written first makes the writer finish: all promoted, or nothing applied
    admission.keep_admitting(crowded_event, seconds=30)
    tables = assert_invariants(ddb, crowded_event)
    expected = (1, WAITING) if writes == 0 else (1 + WAITING, 0)
    assert (len(tables.registered), len(tables.waitlisted)) == expected
    assert queue_items(ddb, crowded_event) == []


def test_a_refused_change_takes_its_note_back(ddb, crowded_event):
    with pytest.raises(Exception, match="Precondition"):
        events.update_event(crowded_event, {"capacity": 100}, if_match='"stale.0.0"')

    assert queue_items(ddb, crowded_event) == []
