"""Lost races are retried from a fresh read; when retries run out the client is told to retry."""

from __future__ import annotations

from typing import Any

import pytest

from event_core import admission, errors, registration
from event_core.registration import register, unregister
from event_core.store import retry
from event_core.store.transactions import TransactionCancelled
from tests.support.builders import a_user, an_event, register_all, some_users
from tests.support.invariants import assert_invariants, read_event_state


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the retry delays instead of sleeping them."""
    delays: list[float] = []
    monkeypatch.setattr(retry.time, "sleep", delays.append)
    return delays


def losing_first(monkeypatch: pytest.MonkeyPatch, module: Any, losses: int, reasons: list[str]) -> list[int]:
    """Make the first `losses` transactions of `module` fail as if another writer won."""
    real = module.transact
    calls: list[int] = []

    def transact(actions: Any) -> None:
        calls.append(len(actions))
        if len(calls) <= losses:
            raise TransactionCancelled(reasons)
        real(actions)

    monkeypatch.setattr(module, "transact", transact)
    return calls


def test_register_retries_a_lost_race_and_succeeds(ddb, monkeypatch, no_backoff):
    # Given an event whose admission write loses two races
    event_id = an_event(capacity=2)
    user_id = a_user()
    calls = losing_first(monkeypatch, admission, 2, ["ConditionalCheckFailed", "None"])

    # When someone registers
    result = register(event_id, user_id)

    # Then the third attempt lands, after two backoffs, and exactly one place was taken
    assert result.status == "registered"
    assert len(calls) == 3
    assert len(no_backoff) == 2
    assert assert_invariants(ddb, event_id).registered == [user_id]


def test_register_gives_up_with_busy_and_writes_nothing(ddb, monkeypatch, no_backoff):
    # Given an event whose admission write always loses
    event_id = an_event(capacity=2)
    calls = losing_first(monkeypatch, admission, 10_000, ["ConditionalCheckFailed", "None"])

    # When someone registers
    with pytest.raises(errors.Busy) as raised:
        register(event_id, a_user())

    # Then after the bounded retries the caller is told to retry, nothing was written, and the
    # event is free for the next writer
    assert raised.value.detail == "Service busy, please retry"
    assert len(calls) == 25
    assert all(0 <= delay <= 0.4 for delay in no_backoff)
    tables = read_event_state(ddb, event_id)
    assert tables.rows == []
    assert tables.event is not None
    assert "writer" not in tables.event


def test_unregister_retries_a_lost_race_and_promotes_once(ddb, monkeypatch, no_backoff):
    # Given a full event with one person waiting, whose first unregister write loses a race
    event_id = an_event(capacity=1, waitlist=True)
    holder, waiting = some_users(2)
    register_all(event_id, [holder, waiting])
    calls = losing_first(monkeypatch, registration, 1, ["None", "ConditionalCheckFailed", "None"])

    # When the attendee leaves
    result = unregister(event_id, holder)

    # Then the retry promotes the person waiting, once
    assert result.promotedUserId == waiting
    assert len(calls) == 2
    tables = assert_invariants(ddb, event_id)
    assert (tables.registered, tables.waitlisted) == ([waiting], [])
