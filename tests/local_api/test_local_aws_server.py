"""The local server's moto (EventBridge, Scheduler) end to end, on the sample app: the
template's schedule fires once the server runs, and a schedule a function could create at
runtime (as the waitlist offers do) invokes its target through the warm workers, once, and is
deleted after."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests

from local_api import ServerHandle
from local_api.clients import local_client
from tests.domain_events.local_events import LocalEvents

pytestmark = [pytest.mark.integration, pytest.mark.http]

TIMEOUT = 30
TEMPLATE_SCHEDULE = "SampleScheduleGroup/RememberFunctionOnce"


def succeeded(local: LocalEvents, schedule: str) -> list[dict[str, Any]]:
    return [f for f in local.schedule_firings(schedule) if f["ok"]]


def function_env(server: ServerHandle) -> dict[str, str]:
    response = requests.get(f"{server.url}/echo", timeout=TIMEOUT)
    response.raise_for_status()
    return dict(response.json()["env"])


def remembered(ddb_client: Any, key: str) -> int:
    response = ddb_client.query(
        TableName="ThingsTable",
        KeyConditionExpression="pk = :k",
        ExpressionAttributeValues={":k": {"S": key}},
        ConsistentRead=True,
    )
    return int(response["Count"])


def test_the_templates_one_time_schedule_fired_once(sample_server):
    local = LocalEvents(sample_server.url)

    # When the server runs (its dispatcher found the template's schedule due)
    local.fire_schedules()

    # Then the target ran once, successfully; being kept (no ActionAfterCompletion), it stays quiet
    (firing,) = succeeded(local, TEMPLATE_SCHEDULE)
    assert firing["function"] == "RememberFunction"
    local.fire_schedules()
    assert len(succeeded(local, TEMPLATE_SCHEDULE)) == 1


def test_a_schedule_created_at_runtime_invokes_its_target_once_and_is_deleted(sample_server, ddb_client):
    # Given a one-time schedule created as a function would: through its endpoint variable,
    # in the group and with the target ARN its environment names
    env = function_env(sample_server)
    scheduler = local_client("scheduler", env["AWS_ENDPOINT_URL_SCHEDULER"])
    key, name = f"runtime-{uuid.uuid4().hex[:10]}", f"offer-{uuid.uuid4().hex[:10]}"
    scheduler.create_schedule(
        Name=name,
        GroupName=env["SCHEDULE_GROUP"],
        ScheduleExpression="at(2026-01-01T00:00:00)",
        ScheduleExpressionTimezone="UTC",
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={
            "Arn": env["REMEMBER_ARN"],
            "RoleArn": "arn:aws:iam::123456789012:role/local",
            "Input": json.dumps({"key": key}),
        },
    )

    # When its time has come
    local = LocalEvents(sample_server.url)
    local.fire_schedules()
    local.fire_schedules()

    # Then the function ran once, with the schedule's Input, and the schedule is gone
    assert len(succeeded(local, f"{env['SCHEDULE_GROUP']}/{name}")) == 1
    assert remembered(ddb_client, key) == 1
    with pytest.raises(scheduler.exceptions.ResourceNotFoundException):
        scheduler.get_schedule(GroupName=env["SCHEDULE_GROUP"], Name=name)
