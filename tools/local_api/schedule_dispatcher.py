"""Firing the schedules on the moto server, as EventBridge Scheduler does in AWS: a thread lists
the schedules (ListSchedules, GetSchedule once per version), and when one is due it invokes its
Lambda target locally, through the same warm workers as the API, with the schedule's `Input`
as the event.

- A one-time `at(...)` schedule fires once; then it is deleted if its ActionAfterCompletion is
  DELETE, else kept (and not fired again), as Scheduler does.
- `rate(...)` schedules fire every period from their StartDate (else their creation), the
  first one period after it, while ENABLED and before their EndDate. An occurrence missed while
  the server was not running is not made up. `cron(...)` is not emulated (skipped, logged).
- A failed invocation is retried after 1, 2, 4 ... (at most 60) seconds, up to the target's
  RetryPolicy (MaximumRetryAttempts, MaximumEventAgeInSeconds); then that firing is dropped.
- A target that is not one of the template's functions is skipped (logged once).

`fire_due()` runs one pass now, in the caller's thread (tests, `POST /_local/schedules/fire`);
passes never overlap, so no schedule fires twice for one occurrence.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from local_api.local_arns import LocalFunctions
from local_api.process import Reply
from local_api.schedule_expressions import Expression, UnsupportedExpression, parse

LOG = logging.getLogger(__name__)

Invoke = Callable[[str, Any], Reply]
Clock = Callable[[], datetime]
Version = tuple[Any, Any]  # (CreationDate, LastModificationDate): a changed schedule starts afresh

TICK_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 60
HISTORY = 1000  # firings kept for GET /_local/schedules
DEFAULT_RETRY_POLICY = {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}


@dataclass(frozen=True)
class Due:
    """One occurrence of a schedule to deliver, and how many attempts it had."""

    schedule: dict[str, Any]  # GetSchedule's answer
    version: Version
    occurrence: datetime
    attempts: int = 0
    next_try: datetime | None = None
    # The event's age counts from its first attempt: the server may not have run at its time.
    first_try: datetime | None = None


def _now() -> datetime:
    return datetime.now(UTC)


class ScheduleDispatcher:
    def __init__(
        self, scheduler: Any, invoke: Invoke, functions: LocalFunctions, clock: Clock = _now
    ) -> None:
        self._scheduler = scheduler
        self._invoke = invoke
        self._functions = functions
        self._clock = clock
        self._lock = threading.Lock()
        self._details: dict[str, tuple[Version, dict[str, Any]]] = {}  # arn -> GetSchedule's answer
        self._fired: dict[str, tuple[Version, datetime]] = {}  # arn -> the last occurrence done
        self._retrying: dict[str, Due] = {}
        self._skipped: set[str] = set()
        self.history: deque[dict[str, Any]] = deque(maxlen=HISTORY)

    def fire_due(self) -> list[dict[str, Any]]:
        """Fire every schedule due now (and retries whose time came); the firings, in order."""
        with self._lock:
            now = self._clock()
            return [self._fire(due, now) for due in list(self._due(now))]

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {
                "firings": list(self.history),
                "retrying": [
                    {"schedule": _label(d.schedule), "attempts": d.attempts, "nextTry": _iso(d.next_try)}
                    for d in self._retrying.values()
                ],
            }

    # -- which schedules are due ---------------------------------------------------------------

    def _due(self, now: datetime) -> Iterator[Due]:
        seen = set()
        for summary in self._summaries():
            arn = summary["Arn"]
            seen.add(arn)
            version = (summary.get("CreationDate"), summary.get("LastModificationDate"))
            retry = self._retrying.get(arn)
            if retry is not None:
                if retry.version == version:
                    if retry.next_try is None or retry.next_try <= now:
                        yield retry
                    continue
                del self._retrying[arn]  # the schedule changed: its old firing is moot
            if summary.get("State") != "ENABLED":
                continue
            schedule = self._detail(arn, summary, version)
            occurrence = self._occurrence(schedule, now)
            last = self._fired.get(arn)
            if occurrence is not None and (last is None or last[0] != version or last[1] < occurrence):
                yield Due(schedule, version, occurrence)
        for gone in set(self._details) - seen:  # deleted meanwhile
            self._details.pop(gone, None)
            self._fired.pop(gone, None)
            self._retrying.pop(gone, None)

    def _summaries(self) -> Iterator[dict[str, Any]]:
        for page in self._scheduler.get_paginator("list_schedules").paginate():
            yield from page.get("Schedules", [])

    def _detail(self, arn: str, summary: dict[str, Any], version: Version) -> dict[str, Any]:
        cached = self._details.get(arn)
        if cached is None or cached[0] != version:
            schedule = self._scheduler.get_schedule(GroupName=summary["GroupName"], Name=summary["Name"])
            self._details[arn] = cached = (version, schedule)
        return cached[1]

    def _occurrence(self, schedule: dict[str, Any], now: datetime) -> datetime | None:
        start, end = schedule.get("StartDate"), schedule.get("EndDate")
        if (start is not None and now < start) or (end is not None and now > end):
            return None
        try:
            expression = self._expression(schedule)
            return expression.latest(now, start or schedule["CreationDate"])
        except UnsupportedExpression as error:
            self._skip(schedule, f"unsupported schedule expression locally: {error}")
            return None

    @staticmethod
    def _expression(schedule: dict[str, Any]) -> Expression:
        return parse(schedule["ScheduleExpression"], schedule.get("ScheduleExpressionTimezone"))

    def _skip(self, schedule: dict[str, Any], why: str) -> None:
        if schedule["Arn"] not in self._skipped:
            self._skipped.add(schedule["Arn"])
            LOG.warning("Schedule %s: %s; skipped", _label(schedule), why)

    # -- firing ----------------------------------------------------------------------------------

    def _fire(self, due: Due, now: datetime) -> dict[str, Any]:
        schedule = due.schedule
        target = schedule["Target"]
        function = self._functions.logical_id(target["Arn"])
        record = {
            "schedule": _label(schedule),
            "function": function,
            "scheduledTime": _iso(due.occurrence),
            "firedAt": _iso(now),
            "attempt": due.attempts + 1,
        }
        if function is None:
            self._skip(schedule, f"target {target['Arn']} is not a function of the template")
            record.update(ok=False, error="target not run locally")
            self._done(due)
        else:
            reply = self._call(function, _event(target))
            record["ok"] = not reply.is_error
            if reply.is_error:
                record["error"] = reply.body
                self._failed(due, now)
            else:
                self._done(due)
            LOG.info(
                "Schedule %s -> %s: %s", record["schedule"], function, "ok" if record["ok"] else "failed"
            )
        self.history.append(record)
        return record

    def _call(self, function: str, event: Any) -> Reply:
        try:
            return self._invoke(function, event)
        except Exception as error:  # the runtime is closing, the function is gone...
            return Reply(
                json.dumps({"errorMessage": str(error), "errorType": type(error).__name__}), True, False
            )

    def _failed(self, due: Due, now: datetime) -> None:
        policy = {**DEFAULT_RETRY_POLICY, **(due.schedule["Target"].get("RetryPolicy") or {})}
        attempts = due.attempts + 1
        first_try = due.first_try or now
        age = now - first_try
        if attempts > int(policy["MaximumRetryAttempts"]) or age > timedelta(
            seconds=int(policy["MaximumEventAgeInSeconds"])
        ):
            LOG.warning("Schedule %s: dropped after %d attempt(s)", _label(due.schedule), attempts)
            self._done(due)
            return
        backoff = timedelta(seconds=min(2 ** (attempts - 1), MAX_BACKOFF_SECONDS))
        self._retrying[due.schedule["Arn"]] = dataclasses.replace(
            due, attempts=attempts, next_try=now + backoff, first_try=first_try
        )

    def _done(self, due: Due) -> None:
        schedule = due.schedule
        arn = schedule["Arn"]
        self._retrying.pop(arn, None)
        self._fired[arn] = (due.version, due.occurrence)
        if self._expression(schedule).one_time and schedule.get("ActionAfterCompletion") == "DELETE":
            # Deleted meanwhile (by the function itself, say): as good.
            with contextlib.suppress(self._scheduler.exceptions.ResourceNotFoundException):
                self._scheduler.delete_schedule(GroupName=schedule["GroupName"], Name=schedule["Name"])


def _event(target: dict[str, Any]) -> Any:
    """The Lambda event: the target's Input (JSON, else the text as is), else an empty object."""
    text = target.get("Input")
    if text is None:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        return text


def _label(schedule: dict[str, Any]) -> str:
    return f"{schedule['GroupName']}/{schedule['Name']}"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@contextlib.contextmanager
def dispatch_schedules(
    dispatcher: ScheduleDispatcher, tick: float = TICK_SECONDS
) -> Iterator[ScheduleDispatcher]:
    """Fire due schedules every `tick` seconds in a thread while the block runs."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(tick):
            try:
                dispatcher.fire_due()
            except Exception:  # moto or a worker hiccup: the next tick tries again
                LOG.exception("Schedule dispatcher: pass failed")

    thread = threading.Thread(target=loop, name="schedules", daemon=True)
    thread.start()
    try:
        yield dispatcher
    finally:
        stop.set()
        thread.join()
