"""The admission queue and its one writer: order, batches, refusals, the lease, recovery."""

from __future__ import annotations

from typing import Any

import pytest

from event_core import admission, errors, events, registration
from event_core.models.registrations import Registration, RegistrationPending
from event_core.registration import register, registration_status
from event_core.settings import get_settings
from event_core.store import admission as queue
from event_core.store import events as event_store
from tests.support.builders import a_user, an_event, some_users
from tests.support.invariants import assert_invariants, queue_items

OTHER_WRITER = "someone-else"


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Queued requests answer 202 at once instead of waiting for their turn."""
    monkeypatch.setenv("ADMISSION_WAIT_SECONDS", "0")
    get_settings.cache_clear()


def queued_while_busy(event_id: str, user_ids: list[str]) -> list[RegistrationPending]:
    """Register everyone while another writer holds the event: each request is queued."""
    assert queue.take_lease(event_id, OTHER_WRITER, seconds=60)
    pending = [register(event_id, user_id) for user_id in user_ids]
    queue.release_lease(event_id, OTHER_WRITER)
    assert all(isinstance(p, RegistrationPending) for p in pending)
    return pending  # type: ignore[return-value]


def test_an_idle_event_admits_directly_and_frees_the_lease(ddb):
    event_id = an_event(capacity=2)

    placed = register(event_id, a_user())

    assert isinstance(placed, Registration)
    assert placed.status == "registered"
    stored = event_store.get(event_id)
    assert stored is not None
    assert stored.writer is None
    assert queue_items(ddb, event_id) == []


def test_a_request_meeting_a_busy_writer_is_queued_and_answered_202(ddb, short_wait):
    event_id = an_event(capacity=2)
    user_id = a_user()

    (pending,) = queued_while_busy(event_id, [user_id])

    assert (pending.status, pending.userId) == ("pending", user_id)
    assert len(pending.requestId) == 20
    assert isinstance(registration_status(event_id, user_id, pending.requestId), RegistrationPending)
    with pytest.raises(errors.NotRegistered):
        registration_status(event_id, user_id)  # no place yet, only a request


def test_the_queue_is_admitted_in_arrival_order(ddb, short_wait):
    event_id = an_event(capacity=2, waitlist=True)
    people = some_users(5)
    pending = queued_while_busy(event_id, people)

    admission.keep_admitting(event_id, seconds=10)

    tables = assert_invariants(ddb, event_id)
    assert tables.registered == people[:2]
    assert tables.waitlisted == people[2:]
    answers = [registration_status(event_id, p.userId, p.requestId) for p in pending]
    assert [a.waitlistPosition for a in answers if isinstance(a, Registration)] == [None, None, 1, 2, 3]
    assert queue_items(ddb, event_id) == []


def test_a_long_queue_is_admitted_in_batches_that_fit_one_transaction(ddb, short_wait, monkeypatch):
    event_id = an_event(capacity=100, waitlist=True)
    people = some_users(150)
    queued_while_busy(event_id, people)
    sizes: list[int] = []
    real = admission.transact

    def counting(actions: Any) -> None:
        sizes.append(len(actions))
        real(actions)

    monkeypatch.setattr(admission, "transact", counting)

    admission.keep_admitting(event_id, seconds=30)

    assert sizes == [100, 52]  # the event's update and 99 rows, then the event and 51 rows
    tables = assert_invariants(ddb, event_id)
    assert tables.registered + tables.waitlisted == people


@pytest.mark.parametrize(
    ("waitlist", "status", "error"),
    [(False, "active", errors.EventFull), (True, "cancelled", errors.EventNotOpen)],
)
def test_a_queued_request_the_writer_refuses_reads_back_as_its_error(
    ddb, short_wait, waitlist, status, error
):
    event_id = an_event(capacity=1, waitlist=waitlist)
    first, second = some_users(2)
    pending = queued_while_busy(event_id, [first, second])
    if status != "active":
        events.update_event(event_id, {"status": status})

    admission.keep_admitting(event_id, seconds=10)

    with pytest.raises(error):
        registration_status(event_id, second, pending[1].requestId)
    assert len(queue_items(ddb, event_id)) == 2 if status != "active" else 1  # outcomes only
    assert_invariants(ddb, event_id)


def test_the_same_person_queued_twice_gets_one_place(ddb, short_wait):
    event_id = an_event(capacity=5)
    user_id = a_user()
    pending = queued_while_busy(event_id, [user_id, user_id])

    admission.keep_admitting(event_id, seconds=10)

    assert isinstance(registration_status(event_id, user_id, pending[0].requestId), Registration)
    with pytest.raises(errors.AlreadyRegistered):
        registration_status(event_id, user_id, pending[1].requestId)
    assert assert_invariants(ddb, event_id).registered == [user_id]


def test_a_batch_whose_queue_cleanup_failed_is_not_admitted_twice(ddb, short_wait, monkeypatch):
    event_id = an_event(capacity=5)
    people = some_users(3)
    queued_while_busy(event_id, people)
    real_remove = queue.remove
    failures = iter([RuntimeError("lost connection")])

    def remove_once_failing(requests: Any) -> None:
        if (failure := next(failures, None)) is not None:
            raise failure
        real_remove(requests)

    monkeypatch.setattr(queue, "remove", remove_once_failing)
    with pytest.raises(RuntimeError):
        admission.keep_admitting(event_id, seconds=10)  # the writer dies after its transaction

    admission.keep_admitting(event_id, seconds=10)  # the next writer finds the rows in place

    assert assert_invariants(ddb, event_id).registered == people
    assert queue_items(ddb, event_id) == []


def test_a_writer_whose_lease_was_taken_over_writes_nothing(ddb, short_wait):
    event_id = an_event(capacity=5)
    user_id = a_user()
    (pending,) = queued_while_busy(event_id, [user_id])
    assert queue.take_lease(event_id, "stalled", seconds=0)  # its lease ran out at once
    assert queue.take_lease(event_id, "successor", seconds=60)
    request = queue.head(event_id, 1)[0][0]

    with pytest.raises(admission.LeaseLost):
        admission.admit(event_id, "stalled", [request])

    assert isinstance(registration_status(event_id, user_id, pending.requestId), RegistrationPending)
    assert assert_invariants(ddb, event_id).registered == []


def test_a_batch_that_lost_a_race_is_retried_from_a_fresh_read(ddb, short_wait, monkeypatch):
    event_id = an_event(capacity=1, waitlist=True)
    holder, newcomer = some_users(2)
    register(event_id, holder)
    queued_while_busy(event_id, [newcomer])
    real = admission.transact
    raced: list[bool] = []

    def unregister_first(actions: Any) -> None:
        if not raced:  # the holder leaves between the writer's read and its write
            raced.append(True)
            registration.unregister(event_id, holder)
        real(actions)

    monkeypatch.setattr(admission, "transact", unregister_first)

    admission.keep_admitting(event_id, seconds=10)

    # planned onto the waitlist of a full event, the batch finds the counts moved and is
    # planned again: the newcomer takes the spot that was freed
    tables = assert_invariants(ddb, event_id)
    assert (tables.registered, tables.waitlisted) == ([newcomer], [])


def test_a_rush_answers_new_requests_at_once_while_the_writer_is_backlogged(ddb, monkeypatch):
    event_id = an_event(capacity=500, waitlist=True)
    people = some_users(120)
    monkeypatch.setenv("ADMISSION_WAIT_SECONDS", "0")
    get_settings.cache_clear()
    queued_while_busy(event_id, people[:-1])
    # The batch renews the lease for LEASE_SECONDS: long enough here for any machine's load.
    monkeypatch.setattr(admission, "LEASE_SECONDS", 60.0)
    assert queue.take_lease(event_id, "writer", seconds=60)
    admission.admit(event_id, "writer", queue.head(event_id, 99)[0], backlog=True)
    monkeypatch.setenv("ADMISSION_WAIT_SECONDS", "30")  # a wait it must not spend
    get_settings.cache_clear()

    answer = register(event_id, people[-1])

    assert isinstance(answer, RegistrationPending)


def test_deleting_an_event_takes_its_queue_with_it(ddb, short_wait):
    event_id = an_event(capacity=5)
    user_id = a_user()
    (pending,) = queued_while_busy(event_id, [user_id])

    events.delete_event(event_id)

    assert queue_items(ddb, event_id) == []
    with pytest.raises(errors.EventNotFound):
        registration_status(event_id, user_id, pending.requestId)


def test_an_expired_lease_can_be_taken_over(ddb):
    event_id = an_event()
    assert queue.take_lease(event_id, "first", seconds=60)
    assert not queue.take_lease(event_id, "second", seconds=60)

    assert queue.take_lease(event_id, "first-again", seconds=0) is False
    queue.release_lease(event_id, "first")

    assert queue.take_lease(event_id, "second", seconds=60)
