"""The simulation against the real code, on a scenario small enough to run here in seconds.

`event_core.registration.register` (the admission-queue design) runs in one thread per person
against DynamoDB Local behind the conflict model (`dynamodb_model`), with every modeled latency,
the retry pauses, the admission wait, the await polling delays, the lease and the client's
Retry-After stretched by `scale`, so that this machine's own CPU time per request is small next
to the modeled service time. Times are divided by `scale` back into modeled seconds. There is no
stream here (no Lambda): a request answered 202 stays queued until a later waiter drains it, so
`keep_admitting` runs once after everyone was answered, as the stream-triggered function would.
The simulation then runs the same scenario without a stream and the same last sweep (several
seeds, averaged), and today's design for reference.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import random
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING
from unittest import mock

from bench import seed
from bench.burst import partition_items
from bench.opening.admission import ADMIT_S, WAIT_S, Admission
from bench.opening.retries import RETRY_AFTER_S
from bench.opening.scenario import run
from bench.opening.simulation import DesignFactory, Scenario
from dynamodb_model import Latencies, start_model
from event_core import admission, registration
from event_core.errors import Busy
from event_core.ids import queue_partition
from event_core.models.registrations import RegistrationPending
from event_core.observability import metrics
from event_core.settings import get_settings
from event_core.store import admission as store_admission
from event_core.store import retry
from event_core.store.client import dynamodb
from event_core.store.codec import decode, key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SMALL = Scenario("calibration", users=120, capacity=20, arrival_window_s=0.5)
SCALE = 15.0  # at 5, this machine's CPU time per request still showed in the times
SIM_SEEDS = 20


@dataclass(frozen=True, slots=True)
class Measured:
    """One run's counts, as the model proxy (real code) or the simulation saw them."""

    admitted: int
    transactions: float  # TransactWriteItems sent
    cancelled: float  # ...cancelled by a conflict
    write_units: float
    created: float  # 201 answers
    accepted: float  # 202 answers
    busy: float  # 503 answers
    span_s: float  # modeled seconds, first arrival to the last answer to a register request
    p50_s: float  # register request to its answer (201 or 202)

    @property
    def answered_per_s(self) -> float:
        return self.admitted / self.span_s

    def per_admission(self, count: float) -> float:
        return count / self.admitted


@dataclass(frozen=True, slots=True)
class Checked:
    """The real run's end state: the event's counters and what the tables hold."""

    registered_count: int
    waitlist_count: int
    registered_rows: int
    waitlisted_rows: int
    queued: int  # queue items left

    @property
    def consistent(self) -> bool:
        return (
            self.registered_count == self.registered_rows
            and self.waitlist_count == self.waitlisted_rows
            and self.queued == 0
        )


@dataclass
class _Person:
    user: str
    arrival_s: float  # modeled
    first_wall: float = 0.0
    answered_wall: float = 0.0
    pending: bool = False
    busy: int = 0
    error: BaseException | None = None


@contextmanager
def _scaled_time(scale: float) -> Iterator[None]:
    """Every wall-clock constant of the register path, stretched like every other modeled time:
    with_retries' and release_lease's backoff, the admission wait (a cached setting), the await
    polls, the lease."""
    original: Callable[..., None] = retry.pause

    def pause(number: int, *, base_delay: float = 0.01, max_delay: float = 0.4) -> None:
        original(number, base_delay=base_delay * scale, max_delay=max_delay * scale)

    before = os.environ.get("ADMISSION_WAIT_SECONDS")
    os.environ["ADMISSION_WAIT_SECONDS"] = str(WAIT_S * scale)
    get_settings.cache_clear()
    try:
        with (
            mock.patch.object(retry, "pause", pause),
            mock.patch.object(store_admission, "pause", pause),  # release_lease's retries
            mock.patch.object(registration, "FIRST_POLL_SECONDS", registration.FIRST_POLL_SECONDS * scale),
            mock.patch.object(registration, "MAX_POLL_SECONDS", registration.MAX_POLL_SECONDS * scale),
            mock.patch.object(admission, "LEASE_SECONDS", admission.LEASE_SECONDS * scale),
        ):
            yield
    finally:
        if before is None:
            os.environ.pop("ADMISSION_WAIT_SECONDS", None)
        else:
            os.environ["ADMISSION_WAIT_SECONDS"] = before
        get_settings.cache_clear()


def _seed(client: DynamoDBClient, scenario: Scenario, event_id: str, users: list[str]) -> None:
    event = seed.event_item(event_id, capacity=scenario.capacity, waitlist=scenario.waitlist)
    seed.put_items(client, "EventsTable", [event])
    seed.put_items(client, "UsersTable", [seed.user_item(u) for u in users])


def _person(event_id: str, person: _Person, start: float, scale: float) -> None:
    time.sleep(max(0.0, start + person.arrival_s * scale - time.perf_counter()))
    person.first_wall = time.perf_counter()
    while True:
        try:
            answer = registration.register(event_id, person.user)
        except Busy:
            person.busy += 1
            time.sleep(RETRY_AFTER_S * scale)
            continue
        except Exception as error:
            person.error = error
        else:
            person.pending = isinstance(answer, RegistrationPending)
        person.answered_wall = time.perf_counter()
        return


def _check(client: DynamoDBClient, event_id: str) -> Checked:
    item = client.get_item(TableName="EventsTable", Key=key(eventId=event_id), ConsistentRead=True)["Item"]
    stored = decode(item)
    rows = partition_items(client, event_id)
    queued = [
        q for q in partition_items(client, queue_partition(event_id)) if not q["userId"].startswith("~")
    ]
    return Checked(
        registered_count=int(stored["registeredCount"]),
        waitlist_count=int(stored["waitlistCount"]),
        registered_rows=sum(1 for r in rows if r.get("status") == "registered"),
        waitlisted_rows=sum(1 for r in rows if r.get("status") == "waitlisted"),
        queued=len(queued),
    )


def measure_real(
    ddb_endpoint: str, client: DynamoDBClient, scenario: Scenario = SMALL, scale: float = SCALE
) -> tuple[Measured, Checked]:
    """Run the real register path, then the stream's sweep; (what was measured, the end state)."""
    event_id = f"bench-opening-{uuid.uuid4().hex[:8]}"
    users = [f"{event_id}-u{n}" for n in range(scenario.users)]
    _seed(client, scenario, event_id, users)
    rng = random.Random(scenario.seed)  # noqa: S311 - arrival times, not cryptography
    people = [_Person(u, rng.uniform(0, scenario.arrival_window_s)) for u in users]
    logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)  # one connection a thread
    quiet = contextlib.redirect_stdout(io.StringIO())  # business metrics flush EMF every 100 values
    with start_model(ddb_endpoint, Latencies(scale=scale)) as model, _scaled_time(scale), quiet:
        seed.use_tables(model.endpoint)
        try:
            dynamodb().describe_table(TableName="EventsTable")  # the client, created before the rush
            model.stats.reset()
            start = time.perf_counter() + 0.2
            threads = [threading.Thread(target=_person, args=(event_id, p, start, scale)) for p in people]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            admission.keep_admitting(event_id, seconds=ADMIT_S * scale)  # the stream's invocation
            stats = model.stats.snapshot()
        finally:
            seed.use_tables(ddb_endpoint)
            metrics.clear_metrics()
    failed = [p for p in people if p.error is not None]
    if failed:
        raise RuntimeError(f"calibration: {len(failed)} registrations failed, first: {failed[0].error!r}")
    latencies = [(p.answered_wall - p.first_wall) / scale for p in people]
    pending = sum(p.pending for p in people)
    measured = Measured(
        admitted=len(people),
        transactions=stats.requests["TransactWriteItems"],
        cancelled=stats.cancelled,
        write_units=stats.write_units,
        created=len(people) - pending,
        accepted=pending,
        busy=sum(p.busy for p in people),
        span_s=(max(p.answered_wall for p in people) - min(p.first_wall for p in people)) / scale,
        p50_s=statistics.median(latencies),
    )
    return measured, _check(client, event_id)


def measure_simulated(
    scenario: Scenario = SMALL, seeds: int = SIM_SEEDS, design: DesignFactory | None = None
) -> Measured:
    """The simulation of the same scenario (by default the new design without a stream, as in
    the real run): the mean over `seeds` runs."""
    factory = design or partial(Admission, stream=False)
    runs = [run(replace(scenario, seed=s), factory) for s in range(1, seeds + 1)]

    def mean(values: list[float]) -> float:
        return statistics.fmean(values)

    return Measured(
        admitted=scenario.users,
        transactions=mean([r.tally.transactions for r in runs]),
        cancelled=mean([r.tally.cancelled for r in runs]),
        write_units=mean([r.tally.write_units for r in runs]),
        created=mean([r.tally.created for r in runs]),
        accepted=mean([r.tally.accepted for r in runs]),
        busy=mean([r.tally.busy for r in runs]),
        span_s=mean([r.last_response_s - r.first_arrival_s for r in runs]),
        p50_s=mean([r.response_p50_s for r in runs]),
    )
