"""An offer's one-time schedule (EventBridge Scheduler) -> end the offer if still unanswered, and
offer its spot to the next in line. Not an HTTP route: the event is the schedule's Input,
`{"eventId", "userId", "offerId"}`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from event_core.observability import logger, metrics, tracer
from event_core.offers import expire_offer


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, bool]:
    # An error (the offer not due yet, DynamoDB busy) fails the invocation: the scheduler retries.
    expired = expire_offer(str(event["eventId"]), str(event["userId"]), str(event["offerId"]))
    logger.info("Offer expiry ran", extra={"offer_id": event["offerId"], "expired": expired})
    return {"expired": expired}
