"""The opening-minute simulation (bench/opening) on tiny scenarios, all in virtual time."""

from __future__ import annotations

import math
from functools import partial

import pytest

from bench.opening import retries
from bench.opening.admission import LEAVE_WAIT_S, MAX_BATCH, RELEASE_ATTEMPTS, Admission
from bench.opening.direct import Direct
from bench.opening.items import REGISTERED, WAITLISTED, event_key
from bench.opening.outcome import outcome
from bench.opening.process import Runner
from bench.opening.simulation import Scenario, Simulation
from dynamodb_model.inflight import Hold
from dynamodb_model.kinds import Kind
from dynamodb_model.latency import Latencies

LATENCIES = Latencies()


def simulate(scenario: Scenario, latencies: Latencies = LATENCIES) -> Simulation:
    return Simulation(scenario, Direct, latencies).run()


def simulate_new(scenario: Scenario, latencies: Latencies = LATENCIES) -> Simulation:
    return Simulation(scenario, Admission, latencies).run()


def assert_invariants(sim: Simulation) -> None:
    broken = [name for name, ok in outcome(sim).invariants.items() if not ok]
    assert broken == []


def test_retry_policy_is_read_from_the_code():
    assert (retries.ATTEMPTS, retries.BASE_DELAY_S, retries.MAX_DELAY_S) == (25, 0.01, 0.4)
    assert retries.CEILINGS_S[0] == 0.01
    assert retries.CEILINGS_S[-1] == 0.4


def test_one_person_registers_in_one_attempt_without_conflict():
    # Given one person and an empty event
    scenario = Scenario("one", users=1, capacity=10, arrival_window_s=0, arrivals_s=(0.0,))

    # When they register
    sim = simulate(scenario)

    # Then one read and one transaction, answered after both latencies, 6 write units billed
    tally = sim.tally
    assert (tally.attempts, tally.transactions, tally.cancelled, tally.condition_failures) == (1, 1, 0, 0)
    assert tally.write_units == 6
    assert sim.people.statuses == [REGISTERED]
    assert sim.people.answered[0] == pytest.approx(LATENCIES.read + LATENCIES.transact_write)
    assert_invariants(sim)


def test_two_at_once_conflict_once_and_the_second_retries_into_the_waitlist():
    # Given two people arriving together for the last spot; a cancellation takes long enough
    # that the retry always comes after the first transaction ended
    latencies = Latencies(rejected=0.030)
    scenario = Scenario("two", users=2, capacity=1, arrival_window_s=0, arrivals_s=(0.0, 0.0))

    # When both register
    sim = simulate(scenario, latencies)

    # Then the second was cancelled by the first's transaction, re-read and joined the waitlist
    tally = sim.tally
    assert (tally.attempts, tally.transactions, tally.cancelled, tally.condition_failures) == (3, 3, 1, 0)
    assert sim.people.statuses == [REGISTERED, WAITLISTED]
    assert sim.people.positions == [None, 1]
    assert sim.event.counts.registered == 1
    assert sim.event.counts.waiting == 1
    assert_invariants(sim)


def test_a_stale_read_that_reaches_the_item_fails_its_condition_and_retries():
    # Given a second person who reads just before the first transaction commits
    # (first: read 0-6 ms, transaction 6-26 ms; second: read at 21 ms, transaction from 27 ms)
    scenario = Scenario("stale", users=2, capacity=1, arrival_window_s=0, arrivals_s=(0.0, 0.021))

    # When both register
    sim = simulate(scenario)

    # Then the second's transaction is not cancelled but its condition (a free spot) fails
    tally = sim.tally
    assert (tally.cancelled, tally.condition_failures, tally.transactions) == (0, 1, 3)
    assert sim.people.statuses == [REGISTERED, WAITLISTED]
    assert_invariants(sim)


def test_a_leaver_promotes_the_head_of_the_waitlist():
    # Given one spot, three people, and the first one registered leaving later
    scenario = Scenario(
        "leaver",
        users=3,
        capacity=1,
        arrival_window_s=0,
        arrivals_s=(0.0, 0.1, 0.2),
        leavers=1,
        leavers_among_first=1,
        leave_within_s=1.0,
    )

    # When everyone registered and the first person left
    sim = simulate(scenario)

    # Then the person first in line holds the spot, the other still waits at position 1
    assert sim.people.left == {0}
    assert [u for _, u in sim.people.promoted] == [1]
    assert sim.rows.rows[1].status == REGISTERED
    assert sim.rows.rows[2].status == WAITLISTED
    assert (sim.event.counts.registered, sim.event.counts.waiting) == (1, 1)
    assert_invariants(sim)


def test_a_crowd_never_exceeds_capacity_and_keeps_every_invariant():
    # Given 300 people within half a second for 30 spots, 5 of them leaving
    scenario = Scenario("crowd", users=300, capacity=30, arrival_window_s=0.5, leavers=5, seed=7)

    # When they all register
    sim = simulate(scenario)
    result = outcome(sim)

    # Then everyone is answered, with retries along the way, and the state is consistent
    assert sim.tally.cancelled > 0
    assert sim.event.counts.registered == 30
    assert sim.event.counts.waiting == 300 - 30 - 5
    assert result.p50_s <= result.p99_s
    assert not math.isnan(result.admitted_per_s)
    assert_invariants(sim)


def test_busy_answers_are_retried_by_the_client_until_answered():
    # Given many people at the same instant
    scenario = Scenario("rush", users=400, capacity=20, arrival_window_s=0.01, seed=3)

    # When they register
    sim = simulate(scenario)

    # Then some got 503 after 25 attempts, sent again, and all got a place in the end
    assert sim.tally.busy > 0
    assert sim.tally.transactions >= retries.ATTEMPTS * sim.tally.busy
    assert all(status is not None for status in sim.people.statuses)
    assert_invariants(sim)


def test_the_same_seed_gives_the_same_run():
    scenario = Scenario("again", users=100, capacity=10, arrival_window_s=0.2, leavers=2, seed=11)
    assert simulate(scenario).tally == simulate(scenario).tally


def test_new_design_admits_a_lone_person_directly_for_five_write_units():
    # Given one person and an empty event
    scenario = Scenario("one", users=1, capacity=10, arrival_window_s=0, arrivals_s=(0.0,))

    # When they register through the admission design
    sim = simulate_new(scenario)

    # Then the lease (1 unit) and one two-item transaction (4 units), nothing queued: a 201
    # after the snapshot, the lease, the queue's head, the event's and the row's reads and the
    # transaction
    tally = sim.tally
    assert (tally.transactions, tally.single_writes, tally.batch_writes, tally.cancelled) == (1, 1, 0, 0)
    assert tally.write_units == 5
    assert tally.reads == 4
    assert (tally.created, tally.accepted, tally.continuations) == (1, 0, 0)
    assert sim.people.statuses == [REGISTERED]
    expected = 4 * LATENCIES.read + LATENCIES.single_write + LATENCIES.transact_write
    assert sim.people.answered[0] == pytest.approx(expected)
    assert_invariants(sim)


def test_new_design_decides_a_burst_in_batches_without_503():
    # Given 1,000 people within 50 ms for 100 spots, 5 of them leaving
    scenario = Scenario("burst", users=1000, capacity=100, arrival_window_s=0.05, leavers=5, seed=5)

    # When they register through the admission design
    sim = simulate_new(scenario)
    result = outcome(sim)

    # Then many are admitted per transaction, nobody is answered 503, and every invariant holds
    tally = sim.tally
    assert tally.busy == 0
    assert tally.transactions < 1000 / 20
    assert tally.batch_writes >= 1000 // MAX_BATCH
    assert sim.event.counts.registered == 100
    assert sim.event.counts.waiting == 1000 - 100 - 5
    assert tally.created + tally.accepted == 1000
    assert result.decided_max_s < 5.0
    assert_invariants(sim)


def test_new_design_at_low_load_bills_less_than_today():
    # Given one person a second for a minute
    arrivals = tuple(float(n) for n in range(60))
    scenario = Scenario("low", users=60, capacity=1000, arrival_window_s=60, arrivals_s=arrivals)

    # When each design runs it
    today, new = simulate(scenario), simulate_new(scenario)

    # Then the new design bills 5 units an admission, today's 6
    assert (today.tally.write_units, new.tally.write_units) == (6 * 60, 5 * 60)
    assert new.tally.accepted == 0
    assert_invariants(new)


def test_new_design_answers_202_at_once_while_the_writer_is_backlogged():
    # Given a writer that holds the lease for 2 s with more queued than a batch
    scenario = Scenario("backlog", users=1, capacity=10, arrival_window_s=0, arrivals_s=(0.0,))
    sim = Simulation(scenario, Admission, LATENCIES)
    design = sim.design
    assert isinstance(design, Admission)
    design.hold_lease(owner=-1, until=2.0, backlogged=True)

    # When someone registers
    sim.run()

    # Then they are answered 202 right after the snapshot and the enqueue (the snapshot showed a
    # live lease: no lease write), and learn their place by polling once the stream admitted
    # them after the lease ran out
    assert (sim.tally.created, sim.tally.accepted) == (0, 1)
    assert sim.people.responded[0] == pytest.approx(LATENCIES.read + LATENCIES.single_write)
    assert 2.0 < sim.people.decided[0] < sim.people.answered[0] < 4.0
    assert_invariants(sim)


def _release_against_a_transaction(seconds: float) -> tuple[Simulation, Admission]:
    """The writer gives its lease back while a transaction holds the event item for `seconds`."""
    scenario = Scenario("release", users=0, capacity=10, arrival_window_s=0)
    sim = Simulation(scenario, Admission, LATENCIES)
    design = sim.design
    assert isinstance(design, Admission)
    design.hold_lease(owner=7, until=10.0)
    hold = sim.inflight.begin(Kind.TRANSACT_WRITE, (event_key(),))
    assert isinstance(hold, Hold)
    sim.clock.at(seconds, sim.inflight.end, hold)
    Runner(sim.clock).start(design.release(7))
    sim.clock.run()
    return sim, design


def test_a_release_that_meets_a_transaction_tries_again():
    sim, design = _release_against_a_transaction(0.015)
    assert sim.tally.release_conflicts >= 1
    assert sim.tally.releases_given_up == 0
    assert not design.lease_held(at=sim.now)


def test_a_release_gives_up_after_its_attempts_and_the_lease_runs_out():
    sim, design = _release_against_a_transaction(60.0)
    assert sim.tally.release_conflicts == RELEASE_ATTEMPTS
    assert sim.tally.releases_given_up == 1
    assert design.lease_held(at=9.9)  # left to run out at 10 s


def test_new_design_unregisters_as_the_writer():
    # Given one registered person who leaves while nobody else is around
    scenario = Scenario(
        "leave", 1, 10, arrival_window_s=0, arrivals_s=(0.0,), leavers=1, leavers_among_first=1
    )

    # When they unregister through the admission design
    sim = simulate_new(scenario)

    # Then take the lease, today's read and transaction, give the lease back, answer
    assert sim.people.left == {0}
    assert sim.tally.leaves_without_lease == 0
    assert sim.tally.single_writes == 3  # the registration's lease, the leaver's take and release
    (asked,) = sim.people.leave_asked.values()
    expected = 2 * LATENCIES.single_write + LATENCIES.read + LATENCIES.transact_write
    assert sim.people.leave_answered[0] - asked == pytest.approx(expected)
    assert_invariants(sim)


def test_new_design_unregisters_without_the_lease_after_waiting_for_it():
    # Given a registered person and a writer that holds the lease for a minute
    scenario = Scenario("stuck", 1, 10, arrival_window_s=0, arrivals_s=(0.0,))
    sim = simulate_new(scenario)
    design = sim.design
    assert isinstance(design, Admission)
    start = sim.now
    design.hold_lease(owner=-1, until=start + 60.0)

    # When they unregister
    design.unregister(0)
    sim.clock.run()

    # Then after LEAVE_WAIT_S of reading and backing off, today's path without the lease
    assert sim.people.left == {0}
    assert sim.tally.leaves_without_lease == 1
    assert LEAVE_WAIT_S < sim.now - start < LEAVE_WAIT_S + 0.5


@pytest.mark.parametrize("wait_s", [0.0, 0.3, 2.0])
def test_new_design_keeps_every_invariant_whatever_the_wait(wait_s: float):
    # Given 600 people within a second for 50 spots, 10 of them leaving soon after
    scenario = Scenario(
        "waits", users=600, capacity=50, arrival_window_s=1.0, leavers=10, leave_within_s=2.0, seed=13
    )

    # When they register through the admission design with this ADMISSION_WAIT_SECONDS
    sim = Simulation(scenario, partial(Admission, wait_s=wait_s), LATENCIES).run()

    # Then nobody is answered 503 and every invariant holds (positions against promotions too)
    assert sim.tally.busy == 0
    assert sim.tally.promoted == 10
    assert_invariants(sim)
