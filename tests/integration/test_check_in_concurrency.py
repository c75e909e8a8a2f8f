"""Concurrent check-ins against DynamoDB Local (and its AWS conflict model): one person checked in
by many requests at once counts once, every answer carries the one stored check-in time, and the
tables' invariants hold after (registrations, and checkedInCount = the attendees checked in)."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from functools import partial

import pytest

from event_core import clock, errors
from event_core.check_in import check_in
from event_core.models.dates import instant
from event_core.registration import unregister
from tests.support.checkin_invariants import assert_check_ins_consistent
from tests.support.invariants import assert_invariants, registration_rows
from tests.support.parallel import run_concurrently

from .backends import Backend, runs_on
from .factories import create_event, create_users

pytestmark = pytest.mark.integration

START = "2031-06-15T10:00:00Z"
SAME_PERSON = 24


@pytest.fixture
def doors_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """The clock an hour before the start, moving a microsecond at every reading, so that each
    attempt would stamp its own time if it wrote."""
    ticks = itertools.count()
    base = instant(START) - timedelta(hours=1)
    monkeypatch.setattr(clock, "now", lambda: base + timedelta(microseconds=next(ticks)))


def outcome(call: Callable[[], object]) -> object:
    """What a call ended with: its answer, or the domain error's name. Busy (503, nothing written)
    is sent again, as a client would."""
    while True:
        try:
            return call()
        except errors.Busy:
            continue
        except errors.DomainError as error:
            return type(error).__name__


@runs_on("in-process", "aws-model")
def test_one_person_checked_in_by_many_at_once_counts_once(backend: Backend, ddb_client, doors_open):
    # Given an event with five attendees and two people waiting
    with backend.given() as given:
        event_id = create_event(given, capacity=5, waitlistEnabled=True, date=START)
        people = create_users(given, 7)
        for user_id in people:
            assert given.register(event_id, user_id).status == 201
    attendee, others, waiting = people[0], people[1:5], people[5:]

    # When the same attendee is checked in by many requests at once, alongside the others
    # and the people waiting
    calls = [partial(check_in, event_id, attendee) for _ in range(SAME_PERSON)]
    calls += [partial(check_in, event_id, user_id) for user_id in [*others, *waiting]]
    answers = run_concurrently([partial(outcome, call) for call in calls])

    # Then every answer for the attendee is the one check-in stored
    stored = {row["userId"]: row for row in registration_rows(ddb_client, event_id)}
    first = stored[attendee]["checkedInAt"]
    mine = answers[:SAME_PERSON]
    assert {getattr(answer, "checkedInAt", answer) for answer in mine} == {first}
    assert Counter(a if isinstance(a, str) else "ok" for a in answers[SAME_PERSON:]) == Counter(
        {"ok": len(others), "NotAnAttendee": len(waiting)}
    )
    # And the count is exact, read from the tables
    assert assert_check_ins_consistent(ddb_client, event_id) == 1 + len(others)
    assert_invariants(ddb_client, event_id)


@runs_on("in-process", "aws-model")
def test_a_check_in_racing_the_attendees_unregistration_wins_or_loses_whole(
    backend: Backend, ddb_client, doors_open
):
    # Given a full event, one attendee and one person waiting, several times over
    with backend.given() as given:
        events = []
        for _ in range(4):
            event_id = create_event(given, capacity=1, waitlistEnabled=True, date=START)
            attendee, waiting = create_users(given, 2)
            assert given.register(event_id, attendee).status == 201
            assert given.register(event_id, waiting).status == 201
            events.append((event_id, attendee, waiting))

    # When each attendee is checked in while leaving
    calls: list[Callable[[], object]] = []
    for event_id, attendee, _ in events:
        calls += [partial(outcome, partial(check_in, event_id, attendee))] * 3
        calls.append(partial(outcome, partial(unregister, event_id, attendee)))
    answers = run_concurrently(calls)

    # Then either the check-in came first (the leave is refused) or the leave did (the check-ins
    # find nobody, and the person waiting got the spot), and the tables agree
    for n, (event_id, attendee, waiting) in enumerate(events):
        checks, leave = answers[4 * n : 4 * n + 3], answers[4 * n + 3]
        rows = {row["userId"]: row for row in registration_rows(ddb_client, event_id)}
        if leave == "CheckedInCannotLeave":
            assert {getattr(a, "checkedInAt", a) for a in checks} == {rows[attendee]["checkedInAt"]}
            assert rows[waiting]["status"] == "waitlisted"
            assert assert_check_ins_consistent(ddb_client, event_id) == 1
        else:
            assert getattr(leave, "promotedUserId", None) == waiting
            assert attendee not in rows
            assert checks == ["NotRegistered"] * 3  # none came first: the leave was not refused
            assert assert_check_ins_consistent(ddb_client, event_id) == 0
        assert_invariants(ddb_client, event_id)
