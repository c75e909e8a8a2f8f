"""Handlers of the sample app: report what the local runtime gave them."""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from typing import Any

VERSION = "v1"
ENV_KEYS = (
    "TABLE",
    "GREETING",
    "OWN",
    "DYNAMODB_ENDPOINT",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "POWERTOOLS_TRACE_DISABLED",
    "REMEMBER_ARN",
    "SCHEDULE_GROUP",
    "AWS_ENDPOINT_URL_EVENTBRIDGE",
    "AWS_ENDPOINT_URL_SCHEDULER",
)


def _ok(body: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 200, "headers": {"X-Pid": str(os.getpid())}, "body": json.dumps(body)}


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    print("sample-app log line on stdout")  # must land in the server log, not the response
    print("sample-app log line on stderr", file=sys.stderr)
    return _ok(
        {
            "version": VERSION,
            "pid": os.getpid(),
            "cwd": os.getcwd(),
            "sys_path_head": sys.path[:2],
            "sys_path_rest": sys.path[2:],
            "layer_value": importlib.import_module("shared").LAYER_VALUE,
            "env": {key: os.environ.get(key) for key in ENV_KEYS},
            "path": event["path"],
            "query": event.get("queryStringParameters"),
            "context": {
                "function_name": context.function_name,
                "memory_limit_in_mb": context.memory_limit_in_mb,
                "invoked_function_arn": context.invoked_function_arn,
                "aws_request_id": context.aws_request_id,
                "remaining_ms": context.get_remaining_time_in_millis(),
            },
        }
    )


def sleep(event: dict[str, Any], context: Any) -> dict[str, Any]:
    seconds = float((event.get("queryStringParameters") or {}).get("seconds", "0"))
    started = time.time()
    time.sleep(seconds)
    return _ok({"pid": os.getpid(), "started": started, "finished": time.time()})


def boom(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise RuntimeError("sample failure")


def crash(event: dict[str, Any], context: Any) -> dict[str, Any]:
    os._exit(3)


def remember(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Scheduled: note this invocation in the table under the event's key, for tests to count."""
    import boto3

    item = {"pk": {"S": event["key"]}, "sk": {"S": context.aws_request_id}}
    boto3.client("dynamodb").put_item(TableName=os.environ["TABLE"], Item=item)
    return {"remembered": event["key"]}
