"""The local AWS services on moto's server: the template's EventBridge and Scheduler resources
created there, published events read back through a catch-all rule, and the dispatcher that
fires due schedules. In-process, with a fake clock and a recording function: no workers, no
DynamoDB. (The local server running all of it: test_local_aws_server.py.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from local_api import DEFAULT_TEMPLATE
from local_api.functions import function_provider, function_specs, load_stacks
from local_api.local_arns import LocalFunctions, function_arn
from local_api.moto_server import MotoServer, start_moto_server
from local_api.process import Reply
from local_api.published_events import PublishedEvents
from local_api.schedule_dispatcher import ScheduleDispatcher
from local_api.template_aws import template_buses, wire_template

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:sam")  # SAM's validation

FUNCTIONS = LocalFunctions({"Remember": "Remember", "Boom": "Boom"})


@pytest.fixture(scope="module")
def moto_server() -> Iterator[MotoServer]:
    with start_moto_server() as server:
        yield server


@pytest.fixture
def moto(moto_server: MotoServer) -> MotoServer:
    """The module's moto server, emptied (moto's backends are per process, not per server)."""
    requests.post(f"{moto_server.endpoint}/moto-api/reset", timeout=10).raise_for_status()
    return moto_server


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class RecordingFunctions:
    """Answers invocations from a script ("ok" / "error", then "ok"); records (name, event)."""

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.calls: list[tuple[str, Any]] = []

    def __call__(self, name: str, event: Any) -> Reply:
        self.calls.append((name, event))
        reply = self.replies.pop(0) if self.replies else "ok"
        if reply == "error":
            return Reply(json.dumps({"errorMessage": "boom", "errorType": "RuntimeError"}), True, True)
        return Reply("null", False, True)


def schedule(moto: MotoServer, name: str, expression: str, **options: Any) -> dict[str, Any]:
    """Create a schedule targeting Remember (options: Timezone, ActionAfterCompletion, Target...)."""
    scheduler = moto.client("scheduler")
    target = {"Arn": function_arn("Remember"), "RoleArn": "arn:aws:iam::123456789012:role/r", "Input": "{}"}
    target.update(options.pop("Target", {}))
    scheduler.create_schedule(
        Name=name, ScheduleExpression=expression, FlexibleTimeWindow={"Mode": "OFF"}, Target=target, **options
    )
    return dict(scheduler.get_schedule(Name=name))


def exists(moto: MotoServer, name: str) -> bool:
    scheduler = moto.client("scheduler")
    try:
        scheduler.get_schedule(Name=name)
    except scheduler.exceptions.ResourceNotFoundException:
        return False
    return True


# ------------------------------------------------------------------ the template on moto


def test_the_sample_templates_resources_are_created_as_the_functions_see_them(moto, sample_copy: Path):
    # Given the sample template (a bus, a rule, a schedule group, a function's ScheduleV2 event)
    stacks = load_stacks(sample_copy)
    echo = function_specs(function_provider(stacks).get_all(), sample_copy.parent, "http://127.0.0.1:9")[
        "EchoFunction"
    ]

    # When it is wired on moto
    wired = wire_template(stacks[0].resources, moto)

    # Then they exist under the names and ARNs the functions' environment gives them
    assert wired.buses == ["SampleBus"]
    assert wired.rules == ["SampleBus/EverythingRule"]
    assert wired.schedule_groups == [echo.environment["SCHEDULE_GROUP"]]
    scheduler = moto.client("scheduler")
    (created,) = scheduler.list_schedules(GroupName=echo.environment["SCHEDULE_GROUP"])["Schedules"]
    detail = scheduler.get_schedule(GroupName=created["GroupName"], Name=created["Name"])
    assert detail["Name"] == "RememberFunctionOnce"  # SAM's name: function + event
    assert detail["ScheduleExpression"] == "at(2020-01-01T00:00:00)"
    assert detail["Target"]["Arn"] == echo.environment["REMEMBER_ARN"] == function_arn("RememberFunction")
    assert json.loads(detail["Target"]["Input"]) == {"key": "template-schedule"}
    # The rule's SNS target is not delivered locally: the rule is there, without it
    events = moto.client("events")
    assert events.describe_rule(Name="EverythingRule", EventBusName="SampleBus")["State"] == "ENABLED"
    assert events.list_targets_by_rule(Rule="EverythingRule", EventBusName="SampleBus")["Targets"] == []


def test_the_projects_bus_and_example_rule_are_created(moto):
    stacks = load_stacks(DEFAULT_TEMPLATE)

    wired = wire_template(stacks[0].resources, moto)

    assert "DomainEventBus" in wired.buses  # EVENT_BUS_NAME locally
    rule = moto.client("events").describe_rule(Name="PromotedFromWaitlistRule", EventBusName="DomainEventBus")
    assert rule["State"] == "DISABLED"


def test_published_events_are_read_back_as_a_rule_target_receives_them(moto):
    # Given a bus with the catch-all rule
    moto.client("events").create_event_bus(Name="Bus")
    published = PublishedEvents(moto, template_buses({"Bus": {"Type": "AWS::Events::EventBus"}}))
    entry = {"Source": "test", "DetailType": "Thing", "EventBusName": "Bus", "Time": 1_800_000_000}

    # When events are put on it, and on the default bus
    moto.client("events").put_events(Entries=[{**entry, "Detail": json.dumps({"n": 1})}])
    first = published.events()
    on_default = {**entry, "EventBusName": "default", "Detail": "{}"}
    moto.client("events").put_events(Entries=[{**entry, "Detail": json.dumps({"n": 2})}, on_default])

    # Then every one is kept, in order, in the target's shape
    events = published.events()
    assert events[: len(first)] == first
    assert [e["detail"] for e in events] == [{"n": 1}, {"n": 2}, {}]
    assert events[0] == {
        "version": "0",
        "id": events[0]["id"],
        "detail-type": "Thing",
        "source": "test",
        "account": "123456789012",
        "time": "2027-01-15T08:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"n": 1},
    }


# ------------------------------------------------------------------ the dispatcher


def test_a_due_one_time_schedule_invokes_its_target_once_with_its_input_and_is_deleted(moto):
    # Given a one-time schedule due now, deleted after completion
    target = {"Input": '{"k": 1}'}
    schedule(moto, "expire-1", "at(2020-01-01T00:00:00)", ActionAfterCompletion="DELETE", Target=target)
    function = RecordingFunctions()
    dispatcher = ScheduleDispatcher(moto.client("scheduler"), function, FUNCTIONS)

    # When the dispatcher passes twice
    (fired,) = dispatcher.fire_due()
    again = dispatcher.fire_due()

    # Then the target ran once, with the schedule's Input as its event, and the schedule is gone
    assert function.calls == [("Remember", {"k": 1})]
    assert (fired["schedule"], fired["function"], fired["ok"]) == ("default/expire-1", "Remember", True)
    assert again == []
    assert not exists(moto, "expire-1")


def test_a_one_time_schedule_fires_at_its_wall_clock_time_in_its_time_zone_and_is_kept(moto):
    # Given a schedule at 09:00 in New York (13:00 UTC in May), kept after completion
    schedule(moto, "offer-2", "at(2027-05-14T09:00:00)", ScheduleExpressionTimezone="America/New_York")
    function = RecordingFunctions()
    clock = Clock(datetime(2027, 5, 14, 12, 59, 59, tzinfo=UTC))
    dispatcher = ScheduleDispatcher(moto.client("scheduler"), function, FUNCTIONS, clock)

    # When the clock passes 13:00 UTC
    before = dispatcher.fire_due()
    clock.now += timedelta(seconds=1)
    at_time = dispatcher.fire_due()
    clock.now += timedelta(hours=1)
    later = dispatcher.fire_due()

    # Then it fired once, at its time, and stays (ActionAfterCompletion NONE) without firing again
    assert (before, len(at_time), later) == ([], 1, [])
    assert at_time[0]["scheduledTime"] == "2027-05-14T13:00:00Z"
    assert len(function.calls) == 1
    assert exists(moto, "offer-2")


def test_a_rate_schedule_fires_once_per_period(moto):
    # Given a schedule every 5 minutes, created now
    created = schedule(moto, "tick", "rate(5 minutes)")["CreationDate"]
    function = RecordingFunctions()
    clock = Clock(created + timedelta(minutes=4))
    dispatcher = ScheduleDispatcher(moto.client("scheduler"), function, FUNCTIONS, clock)

    # When the clock runs through two periods
    fired = []
    for minutes in (4, 5, 6, 9, 10, 10):
        clock.now = created + timedelta(minutes=minutes)
        fired.append(len(dispatcher.fire_due()))

    # Then it fired at 5 and 10 minutes only, and is still there
    assert fired == [0, 1, 0, 0, 1, 0]
    assert len(function.calls) == 2
    assert exists(moto, "tick")


def test_a_failed_invocation_is_retried_after_a_backoff_then_completes(moto):
    schedule(moto, "flaky", "at(2020-01-01T00:00:00)", ActionAfterCompletion="DELETE")
    function = RecordingFunctions("error", "ok")
    clock = Clock(datetime.now(UTC))
    dispatcher = ScheduleDispatcher(moto.client("scheduler"), function, FUNCTIONS, clock)

    first = dispatcher.fire_due()
    too_soon = dispatcher.fire_due()
    clock.now += timedelta(seconds=1)
    retried = dispatcher.fire_due()

    assert [f["ok"] for f in first] == [False]
    assert too_soon == []
    assert [(f["ok"], f["attempt"]) for f in retried] == [(True, 2)]
    assert len(function.calls) == 2
    assert not exists(moto, "flaky")


def test_retries_stop_at_the_retry_policy(moto):
    retry_policy = {"MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 3600}
    schedule(moto, "broken", "at(2020-01-01T00:00:00)", Target={"RetryPolicy": retry_policy})
    function = RecordingFunctions("error", "error", "error")
    clock = Clock(datetime(2020, 1, 1, 0, 10, tzinfo=UTC))
    dispatcher = ScheduleDispatcher(moto.client("scheduler"), function, FUNCTIONS, clock)

    for _ in range(4):
        dispatcher.fire_due()
        clock.now += timedelta(minutes=1)

    assert len(function.calls) == 2  # the attempt and one retry
    assert dispatcher.status()["retrying"] == []


def test_a_target_that_is_not_a_template_function_is_not_invoked(moto):
    other = {"Arn": "arn:aws:sqs:us-east-1:123456789012:somewhere"}
    schedule(moto, "elsewhere", "at(2020-01-01T00:00:00)", Target=other)
    function = RecordingFunctions()
    dispatcher = ScheduleDispatcher(moto.client("scheduler"), function, FUNCTIONS)

    (fired,) = dispatcher.fire_due()

    assert (fired["function"], fired["ok"]) == (None, False)
    assert function.calls == []
    assert dispatcher.fire_due() == []


def test_disabled_schedules_do_not_fire(moto):
    schedule(moto, "off", "at(2020-01-01T00:00:00)", State="DISABLED")
    function = RecordingFunctions()

    assert ScheduleDispatcher(moto.client("scheduler"), function, FUNCTIONS).fire_due() == []
    assert function.calls == []


def test_cron_schedules_are_skipped_not_guessed(moto):
    # cron(...) is not emulated: nothing in the template uses it
    schedule(moto, "nightly", "cron(0 3 * * ? *)")
    function = RecordingFunctions()

    assert ScheduleDispatcher(moto.client("scheduler"), function, FUNCTIONS).fire_due() == []
    assert function.calls == []
