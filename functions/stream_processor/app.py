"""DynamoDB streams of the registrations and events tables -> domain events on the EventBridge bus."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from event_core.domain_events.processor import StreamPublisher
from event_core.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    # Failed records go back as batchItemFailures; Lambda retries from the first of them.
    return process_partial_response(
        event=event, record_handler=StreamPublisher(), processor=processor, context=context
    )
