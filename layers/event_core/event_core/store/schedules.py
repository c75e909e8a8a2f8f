"""EventBridge Scheduler: one one-time schedule per offer, which invokes the expiry function at
the offer's expiry time with the offer as its input, then deletes itself.

The schedule's name comes from the offer id, so creating it again (a stream record delivered
twice, a retried batch) finds it there (ConflictException): that is success. Locally,
AWS_ENDPOINT_URL_SCHEDULER points the client at the local scheduler, which botocore honours; a
local run (DYNAMODB_ENDPOINT set) without one schedules nothing, with a warning, rather than call
AWS with dummy credentials and fail the stream's batches.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

from botocore.exceptions import ClientError

from event_core.observability import logger, trace_aws_calls
from event_core.settings import get_settings
from event_core.store.client import client_config

NAME_PREFIX = "offer-"
LOCAL_ENDPOINT = "AWS_ENDPOINT_URL_SCHEDULER"


class SchedulerNotConfigured(RuntimeError):
    """The function has no expiry target or role to schedule with (its template environment)."""


@cache
def scheduler() -> Any:
    from botocore.session import Session

    trace_aws_calls()
    return Session().create_client("scheduler", config=client_config())


def schedule_name(offer_id: str) -> str:
    return f"{NAME_PREFIX}{offer_id}"


def at_expression(instant: str) -> str:
    """`at(yyyy-mm-ddThh:mm:ss)` (UTC) of a server timestamp such as 2027-01-12T09:30:00.000000Z."""
    return f"at({instant[:19]})"


def schedule_offer_expiry(event_id: str, user_id: str, offer_id: str, expires_at: str) -> bool:
    """Have the expiry function run for this offer at `expires_at`. Returns False if the schedule
    already existed (made by an earlier delivery)."""
    settings = get_settings()
    if settings.dynamodb_endpoint and not os.environ.get(LOCAL_ENDPOINT):
        logger.warning(
            "No local scheduler (%s): offer %s will not expire by itself", LOCAL_ENDPOINT, offer_id
        )
        return False
    if not (settings.offer_expiry_target_arn and settings.offer_scheduler_role_arn):
        raise SchedulerNotConfigured("OFFER_EXPIRY_TARGET_ARN and OFFER_SCHEDULER_ROLE_ARN must be set")
    offer = {"eventId": event_id, "userId": user_id, "offerId": offer_id}
    try:
        scheduler().create_schedule(
            Name=schedule_name(offer_id),
            GroupName=settings.offer_schedule_group,
            ScheduleExpression=at_expression(expires_at),
            ScheduleExpressionTimezone="UTC",
            FlexibleTimeWindow={"Mode": "OFF"},
            ActionAfterCompletion="DELETE",
            Description=f"Expire offer {offer_id} ({user_id} at {event_id})",
            Target={
                "Arn": settings.offer_expiry_target_arn,
                "RoleArn": settings.offer_scheduler_role_arn,
                "Input": json.dumps(offer),
                "RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400},
            },
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConflictException":
            return False
        raise
    return True
