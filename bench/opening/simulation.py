"""The simulated world: the clock, DynamoDB's items and holds, the people, and what they were answered.

People are the clients: each sends a register request when they arrive, waits for the answer,
and after a 503 sends it again `Retry-After` later; after a 202 they poll their request's status
(the design sends those polls through `polling` and `still_pending`). A `Design` turns requests
into DynamoDB operations and answers them through `registered`, `accepted`, `left`, `busy` and
`refused`, and reports each registration row it writes through `placed`.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from bench.opening.clock import Clock
from bench.opening.items import HOT_PARTITIONS, REGISTERED, EventItem, Registrations, partition
from bench.opening.retries import RETRY_AFTER_S
from dynamodb_model.inflight import InFlight, ItemKey
from dynamodb_model.latency import Latencies

Request = Literal["register", "unregister"]


@dataclass(frozen=True, slots=True)
class Scenario:
    label: str
    users: int
    capacity: int
    arrival_window_s: float  # everyone's first request, uniformly within this window
    leavers: int = 0  # people who unregister after getting a spot...
    leavers_among_first: int = 1000  # ...chosen at random among the first this many registered
    leave_within_s: float = 60.0  # ...at a random moment this long after their answer
    waitlist: bool = True
    seed: int = 1
    arrivals_s: tuple[float, ...] = ()  # each person's first request, if given (else at random)


@dataclass
class Tally:
    """The DynamoDB traffic, as `dynamodb_model.stats` counts it, and the answers given."""

    attempts: int = 0  # tries of a use case (today: rounds of with_retries)
    reads: int = 0  # BatchGetItem and Query requests
    transactions: int = 0  # TransactWriteItems sent
    cancelled: int = 0  # ...cancelled by a conflict with a transaction in flight
    condition_failures: int = 0  # ...cancelled because the state read had changed
    write_units: int = 0  # billed: 2 per item of every TransactWriteItems, committed or not
    busy: int = 0  # 503 answers
    refused: int = 0  # other non-2xx answers
    promoted: int = 0
    created: int = 0  # 201 answers to a register request
    accepted: int = 0  # 202 answers (queued, answer not ready within the wait)
    status_polls: int = 0  # GET .../registrations/{user}?request= after a 202
    single_writes: int = 0  # PutItem / UpdateItem sent (lease, queue), each billed one unit
    batch_writes: int = 0  # BatchWriteItem calls (queue clean-up)
    lease_conflicts: int = 0  # a lease write that met a transaction on the event item
    release_conflicts: int = 0  # ...while giving the lease back (release_lease pauses, retries)
    releases_given_up: int = 0  # release_lease's attempts all met one: the lease runs out instead
    leaves_without_lease: int = 0  # unregisters that waited LEAVE_WAIT_SECONDS, then went without
    continuations: int = 0  # stream-triggered admission invocations


class Design(Protocol):
    """How requests become DynamoDB operations, built for one simulation (`DesignFactory`).

    It answers every request through the simulation's `registered`, `left`, `busy`, `refused`.
    """

    name: str

    def register(self, user: int) -> None: ...

    def unregister(self, user: int) -> None: ...

    def finish(self) -> None:
        """Called once when nothing is left to do: a last chance to schedule more."""


DesignFactory = Callable[["Simulation"], Design]


@dataclass
class People:
    first_request: list[float]
    answered: list[float]  # final 2xx to the registration
    statuses: list[str | None]  # status answered
    positions: list[int | None]  # waitlist position answered
    tickets: list[int | None]  # waitlist ticket of the row written for that answer
    decided: list[float]  # when the person's registration row was written
    responded: list[float]  # the first answer to the register request (201 or 202)
    position_at: list[float]  # when the position answered was read
    left: set[int] = field(default_factory=set)
    promoted: list[tuple[float, int]] = field(default_factory=list)  # (when, who), in order
    leave_asked: dict[int, float] = field(default_factory=dict)  # first unregister request
    leave_answered: dict[int, float] = field(default_factory=dict)  # its 200
    duplicate_answers: int = 0  # a second 201 to the same person


class Simulation:
    def __init__(self, scenario: Scenario, design: DesignFactory, latencies: Latencies | None = None) -> None:
        self.scenario = scenario
        self.latencies = latencies or Latencies()
        self.clock = Clock()
        self.rng = random.Random(scenario.seed)  # noqa: S311 - a model, not cryptography
        self.event = EventItem(scenario.capacity, waitlist=scenario.waitlist)
        self.rows = Registrations()
        self.inflight = InFlight()
        self.tally = Tally()
        # hot partition -> second -> write units billed
        self.units_per_second: dict[str, Counter[int]] = {where: Counter() for where in HOT_PARTITIONS}
        n = scenario.users
        self.people = People(
            [math.nan] * n, [math.nan] * n, [None] * n, [None] * n, [None] * n, [math.nan] * n,
            [math.nan] * n, [math.nan] * n,
        )  # fmt: skip
        self.open_requests = 0
        self.peak_open_requests = 0
        self.request_seconds = 0.0  # the sum over API requests of their time in flight
        self._counted_at = 0.0
        self.open_continuations = 0  # invocations that are not API requests (stream-triggered)
        self.peak_continuations = 0
        self._registered_in_order = 0
        self._leaver_ranks = set(
            self.rng.sample(range(min(scenario.leavers_among_first, scenario.capacity)), scenario.leavers)
        )
        self.design = design(self)

    @property
    def now(self) -> float:
        return self.clock.now

    def run(self) -> Simulation:
        scenario = self.scenario
        for user in range(scenario.users):
            if scenario.arrivals_s:
                when = scenario.arrivals_s[user]
            else:
                when = self.rng.uniform(0, scenario.arrival_window_s)
            self.clock.at(when, self._arrive, user)
        self.clock.run()
        self.design.finish()
        self.clock.run()
        return self

    # --- billing -----------------------------------------------------------------------------

    def bill(self, where: str | None, units: int) -> None:
        """Write units billed now, on a hot partition (or elsewhere: None)."""
        self.tally.write_units += units
        if where is not None:
            self.units_per_second[where][int(self.clock.now)] += units

    def bill_items(self, keys: Sequence[ItemKey], units_per_item: int) -> None:
        """Every item of a transaction (millions of calls today: kept lean)."""
        self.tally.write_units += units_per_item * len(keys)
        second = int(self.clock.now)
        per_second = self.units_per_second
        for key in keys:
            where = partition(key)
            if where is not None:
                per_second[where][second] += units_per_item

    # --- requests (the people) -------------------------------------------------------------

    def _arrive(self, user: int) -> None:
        self.people.first_request[user] = self.clock.now
        self._send("register", user)

    def _open(self) -> None:
        self._in_flight(1)
        self.peak_open_requests = max(self.peak_open_requests, self.open_requests)

    def _close(self) -> None:
        self._in_flight(-1)

    def _in_flight(self, change: int) -> None:
        now = self.clock.now
        self.request_seconds += self.open_requests * (now - self._counted_at)
        self._counted_at = now
        self.open_requests += change

    def _send(self, kind: Request, user: int) -> None:
        self._open()
        if kind == "register":
            self.design.register(user)
        else:
            self.design.unregister(user)

    def _register_again(self, user: int) -> None:
        self._send("register", user)

    def _unregister_again(self, user: int) -> None:
        self._send("unregister", user)

    def _leave(self, user: int) -> None:
        self.people.leave_asked[user] = self.clock.now
        self._send("unregister", user)

    # --- answers (the design calls these) ---------------------------------------------------

    def placed(self, user: int) -> None:
        """The person's registration row was written (their decision, as the table holds it)."""
        self.people.decided[user] = self.clock.now

    def registered(
        self, user: int, status: str, position: int | None, *, read_at: float | None = None
    ) -> None:
        """201 (or a status poll's 200): a spot or a place in the waitlist; `read_at` is when
        the position answered was read (default: now)."""
        self._close()
        now = self.clock.now
        people = self.people
        if not math.isnan(people.answered[user]):
            people.duplicate_answers += 1
        if math.isnan(people.responded[user]):
            people.responded[user] = now
            self.tally.created += 1
        if math.isnan(people.decided[user]):
            people.decided[user] = now
        people.answered[user] = now
        people.statuses[user] = status
        people.positions[user] = position
        people.position_at[user] = now if read_at is None else read_at
        row = self.rows.get(user)
        people.tickets[user] = row.ticket if row else None
        if status == REGISTERED:
            if self._registered_in_order in self._leaver_ranks:
                self.clock.at(now + self.rng.uniform(0, self.scenario.leave_within_s), self._leave, user)
            self._registered_in_order += 1

    def accepted(self, user: int) -> None:
        """202: the request is queued; the person polls its status from now on."""
        self._close()
        self.tally.accepted += 1
        self.people.responded[user] = self.clock.now

    def polling(self) -> None:
        """A status poll (GET) is sent."""
        self._open()
        self.tally.status_polls += 1

    def still_pending(self) -> None:
        """A status poll answered: not decided yet."""
        self._close()

    def continuation(self, *, running: bool) -> None:
        """A stream-triggered invocation starts (`running`) or ends."""
        self.open_continuations += 1 if running else -1
        self.peak_continuations = max(self.peak_continuations, self.open_continuations)
        self.tally.continuations += running

    def left(self, user: int, promoted: list[int], *, written_at: float | None = None) -> None:
        """200: unregistered; `promoted` moved from the waitlist into spots in the same write,
        at `written_at` (default: now; the answer may come later)."""
        self._close()
        now = self.clock.now
        self.people.left.add(user)
        self.people.leave_answered[user] = now
        self.people.promoted.extend((now if written_at is None else written_at, u) for u in promoted)
        self.tally.promoted += len(promoted)

    def busy(self, kind: Request, user: int) -> None:
        """503 with Retry-After: the person sends the same request again that much later."""
        self._close()
        self.tally.busy += 1
        again = self._register_again if kind == "register" else self._unregister_again
        self.clock.at(self.clock.now + RETRY_AFTER_S, again, user)

    def refused(self, user: int) -> None:
        """Any other non-2xx answer (409 full or already registered, 404 not registered)."""
        self._close()
        self.tally.refused += 1
