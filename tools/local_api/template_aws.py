"""Create on the moto server what the template declares for EventBridge and EventBridge
Scheduler: event buses, rules (with the targets moto delivers to), schedule groups, schedules
(`AWS::Scheduler::Schedule` and the functions' SAM `ScheduleV2` events).

Names are what `!Ref` resolves to locally, the logical id (SAM CLI resolves the functions'
environment that way: EVENT_BUS_NAME is "DomainEventBus"), and ARNs those of `local_arns`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from local_api.local_arns import function_arn, role_arn
from local_api.moto_server import MotoServer, start_moto_server

LOG = logging.getLogger(__name__)

BUS = "AWS::Events::EventBus"
RULE = "AWS::Events::Rule"
SCHEDULE_GROUP = "AWS::Scheduler::ScheduleGroup"
SCHEDULE = "AWS::Scheduler::Schedule"
FUNCTION = "AWS::Serverless::Function"
DEFAULT_GROUP = "default"
# Rule targets moto delivers to (others, such as SNS topics, are left out locally).
DELIVERED_TARGET_SERVICES = frozenset({"sqs", "logs", "events"})
NO_TIME_WINDOW = {"Mode": "OFF"}


@dataclass
class WiredResources:
    """What was created, by kind: names (rules and schedules as "<bus or group>/<name>")."""

    buses: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    schedule_groups: list[str] = field(default_factory=list)
    schedules: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.buses)} event bus(es), {len(self.rules)} rule(s), "
            f"{len(self.schedule_groups)} schedule group(s), {len(self.schedules)} schedule(s)"
        )


def template_buses(resources: Mapping[str, Any]) -> list[str]:
    """The template's buses by their local name (the logical id)."""
    return [name for name, resource in resources.items() if _type(resource) == BUS]


def wire_template(resources: Mapping[str, Any], moto: MotoServer) -> WiredResources:
    """Create the template's EventBridge and Scheduler resources on `moto` (SAM CLI's resolved
    resources: Globals merged, intrinsics resolved)."""
    wired = WiredResources()
    events, scheduler = moto.client("events"), moto.client("scheduler")
    for name in template_buses(resources):
        events.create_event_bus(Name=name)
        wired.buses.append(name)
    for name, resource in resources.items():
        if _type(resource) == SCHEDULE_GROUP:
            scheduler.create_schedule_group(Name=name)
            wired.schedule_groups.append(name)
    for name, resource in resources.items():
        if _type(resource) == RULE:
            wired.rules.append(_put_rule(events, name, resource.get("Properties", {})))
        elif _type(resource) == SCHEDULE:
            request = _schedule_request(name, resource.get("Properties", {}))
            wired.schedules.append(_create_schedule(scheduler, request, wired))
        elif _type(resource) == FUNCTION:
            for request in _function_schedules(name, resource.get("Properties", {})):
                wired.schedules.append(_create_schedule(scheduler, request, wired))
    return wired


def _type(resource: Any) -> str | None:
    return resource.get("Type") if isinstance(resource, dict) else None


def _put_rule(events: Any, name: str, properties: Mapping[str, Any]) -> str:
    bus = str(properties.get("EventBusName") or "default")
    request: dict[str, Any] = {"Name": name, "EventBusName": bus, "State": properties.get("State", "ENABLED")}
    if "EventPattern" in properties:
        pattern = properties["EventPattern"]
        request["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
    for key in ("ScheduleExpression", "Description"):
        if key in properties:
            request[key] = properties[key]
    events.put_rule(**request)
    targets = [t for t in properties.get("Targets", []) if _delivered(str(t.get("Arn", "")))]
    skipped = len(properties.get("Targets", [])) - len(targets)
    if skipped:
        LOG.info(
            "Rule %s: %d target(s) not delivered locally (moto delivers to SQS, Logs, buses)", name, skipped
        )
    if targets:
        events.put_targets(Rule=name, EventBusName=bus, Targets=targets)
    return f"{bus}/{name}"


def _delivered(arn: str) -> bool:
    parts = arn.split(":")
    return len(parts) > 2 and parts[0] == "arn" and parts[2] in DELIVERED_TARGET_SERVICES


def _schedule_request(name: str, properties: Mapping[str, Any]) -> dict[str, Any]:
    """A CreateSchedule request from an AWS::Scheduler::Schedule's properties."""
    request = {key: value for key, value in properties.items() if key not in ("StartDate", "EndDate")}
    request.setdefault("Name", name)
    request.setdefault("FlexibleTimeWindow", NO_TIME_WINDOW)
    for key in ("StartDate", "EndDate"):
        if key in properties:
            request[key] = datetime.fromisoformat(str(properties[key]))
    return request


def _function_schedules(function: str, properties: Mapping[str, Any]) -> list[dict[str, Any]]:
    """CreateSchedule requests of a function's ScheduleV2 events, as SAM's translation makes
    them: the schedule named `<Function><Event>` unless `Name`, the function as target, and a
    role of its own unless `RoleArn`."""
    target_name = str(properties.get("FunctionName") or function)
    requests = []
    for event_name, event in (properties.get("Events") or {}).items():
        if not isinstance(event, dict) or event.get("Type") != "ScheduleV2":
            continue
        options = dict(event.get("Properties") or {})
        logical_id = f"{function}{event_name}"
        target: dict[str, Any] = {
            "Arn": function_arn(target_name),
            "RoleArn": options.pop("RoleArn", None) or role_arn(f"{logical_id}Role"),
        }
        for key in ("Input", "RetryPolicy"):
            if key in options:
                target[key] = options.pop(key)
        for key in ("DeadLetterConfig", "PermissionsBoundary", "OmitName"):
            options.pop(key, None)
        request = _schedule_request(logical_id, options)
        request["Target"] = target
        requests.append(request)
    return requests


def _create_schedule(scheduler: Any, request: dict[str, Any], wired: WiredResources) -> str:
    group = str(request.get("GroupName") or DEFAULT_GROUP)
    if group != DEFAULT_GROUP and group not in wired.schedule_groups:  # a group made elsewhere
        scheduler.create_schedule_group(Name=group)
        wired.schedule_groups.append(group)
    scheduler.create_schedule(**request)
    return f"{group}/{request['Name']}"


@contextmanager
def template_aws(resources: Mapping[str, Any], port: int = 0) -> Iterator[tuple[MotoServer, WiredResources]]:
    """A moto server on `port` (0: a free one) holding the template's EventBridge and Scheduler
    resources, while the block runs."""
    with start_moto_server(port) as moto:
        wired = wire_template(resources, moto)
        LOG.info("AWS (moto) at %s: %s", moto.endpoint, wired.summary())
        yield moto, wired
