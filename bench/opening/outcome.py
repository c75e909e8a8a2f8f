"""What a simulated opening minute comes to: the numbers people and the bill see, and the invariants."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from bench.opening.items import HOT_PARTITIONS, REGISTERED, WAITLISTED
from bench.opening.simulation import Simulation, Tally
from bench.stats import median, percentile


@dataclass(frozen=True, slots=True)
class Outcome:
    label: str
    design: str
    users: int
    capacity: int
    first_arrival_s: float
    last_arrival_s: float
    last_decision_s: float  # the last registration row written
    last_answer_s: float  # the last person to learn their place
    p50_s: float  # first request to final 2xx (or the status poll that found it), retries included
    p99_s: float
    decided_p50_s: float  # first request to the row written
    decided_p99_s: float
    decided_max_s: float
    last_response_s: float  # the last answer to a register request (201 or 202)
    response_p50_s: float  # register request to its answer (201 or 202)
    leave_p50_s: float  # first unregister request to its 200
    leave_max_s: float
    peak_open_requests: int  # API requests in flight (register, unregister, status polls)
    peak_units_per_s: dict[str, int]  # hot partition -> most write units billed in one second
    request_seconds: float  # their time in flight, summed (Lambda duration, own run time aside)
    peak_continuations: int  # stream-triggered invocations in flight
    tally: Tally
    left: int
    invariants: dict[str, bool]
    steps: int  # simulation events processed
    wall_s: float = math.nan

    @property
    def decisions(self) -> int:
        return self.users

    @property
    def admitted_per_s(self) -> float:
        span = self.last_decision_s - self.first_arrival_s
        return self.decisions / span if span > 0 else math.nan

    @property
    def drain_s(self) -> float:
        """From the last person's arrival until everyone has their answer."""
        return self.last_decision_s - self.last_arrival_s

    @property
    def answered_s(self) -> float:
        """From the last person's arrival until everyone knows their place."""
        return self.last_answer_s - self.last_arrival_s

    def per_admission(self, count: int) -> float:
        return count / self.decisions if self.decisions else math.nan


def outcome(sim: Simulation) -> Outcome:
    people = sim.people
    latencies = [a - f for a, f in zip(people.answered, people.first_request, strict=True)]
    to_decision = [d - f for d, f in zip(people.decided, people.first_request, strict=True)]
    answered = [a for a in people.answered if not math.isnan(a)]
    decided = [d for d in people.decided if not math.isnan(d)]
    responded = [r for r in people.responded if not math.isnan(r)]
    to_leave = [people.leave_answered[u] - asked for u, asked in people.leave_asked.items()]
    to_response = [
        r - f for r, f in zip(people.responded, people.first_request, strict=True) if not math.isnan(r)
    ]
    return Outcome(
        label=sim.scenario.label,
        design=sim.design.name,
        users=sim.scenario.users,
        capacity=sim.scenario.capacity,
        first_arrival_s=min(people.first_request),
        last_arrival_s=max(people.first_request),
        last_decision_s=max(decided) if decided else math.nan,
        last_answer_s=max(answered) if answered else math.nan,
        p50_s=median(latencies),
        p99_s=percentile(latencies, 99),
        decided_p50_s=median(to_decision),
        decided_p99_s=percentile(to_decision, 99),
        decided_max_s=max(to_decision),
        last_response_s=max(responded) if responded else math.nan,
        response_p50_s=median(to_response),
        leave_p50_s=median(to_leave) if to_leave else math.nan,
        leave_max_s=max(to_leave, default=math.nan),
        peak_open_requests=sim.peak_open_requests,
        request_seconds=sim.request_seconds,
        peak_units_per_s={
            where: max(sim.units_per_second[where].values(), default=0) for where in HOT_PARTITIONS
        },
        peak_continuations=sim.peak_continuations,
        tally=sim.tally,
        left=len(people.left),
        invariants=invariants(sim),
        steps=sim.clock.steps,
    )


def invariants(sim: Simulation) -> dict[str, bool]:
    """The rules the API promises, checked on the state the simulation ends with."""
    people, counts, capacity = sim.people, sim.event.counts, sim.event.capacity
    rows = sim.rows.rows
    registered = [u for u, row in rows.items() if row.status == REGISTERED]
    tickets = sorted(row.ticket for row in rows.values() if row.status == WAITLISTED and row.ticket)
    waiting = [row for row in rows.values() if row.status == WAITLISTED]
    placed = [u for u, status in enumerate(people.statuses) if status is not None]

    joined = sorted(
        (people.decided[u], t, people.positions[u], people.position_at[u])
        for u, t in enumerate(people.tickets)
        if people.statuses[u] == WAITLISTED and t is not None
    )
    issued = [t for _, t, _, _ in joined]
    promoted_tickets = [people.tickets[u] or 0 for _, u in people.promoted]
    promotion_times = sorted(when for when, _ in people.promoted)

    def ahead_then(when: float, ticket: int) -> int:  # tickets 1..ticket-1 went out earlier
        return ticket - 1 - bisect.bisect_left(promotion_times, when)

    return {
        "registered rows <= capacity": len(registered) <= capacity,
        "registeredCount == registered rows": counts.registered == len(registered),
        "waitlistCount == waitlisted rows": counts.waiting == len(waiting),
        "nobody waits while a spot is free": not waiting or len(registered) == capacity,
        "everyone answered 2xx, once": len(placed) == sim.scenario.users and people.duplicate_answers == 0,
        "one row per person answered, none for leavers": (
            set(rows) == set(placed) - people.left and len(rows) == len(placed) - len(people.left)
        ),
        "tickets handed out in decision order (FIFO)": issued == sorted(set(issued)),
        "promotions took the queue's head, in order": promoted_tickets == sorted(promoted_tickets)
        and all(t < min(tickets, default=math.inf) for t in promoted_tickets),
        "waiting positions are 1..W (distinct tickets)": len(set(tickets)) == len(waiting),
        "positions answered = 1 + people ahead then": all(
            position == 1 + ahead_then(when, ticket) for _, ticket, position, when in joined
        ),
    }
