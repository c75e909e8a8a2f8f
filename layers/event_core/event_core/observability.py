"""Powertools logger, tracer and metrics: one of each per process, shared by every route.

Tracing: the template turns on X-Ray (`Tracing: Active`), so Lambda records every invocation's
init and handler time without any code. The tracer adds what Lambda cannot see: one subsegment
per DynamoDB round trip (with its table, operation, latency and error). That instrumentation is
installed by `trace_aws_calls()`, which the DynamoDB client module calls, so only functions that
talk to DynamoDB patch botocore, and nothing else (sqlite3, http.client, requests) is patched.
`POWERTOOLS_TRACE_DISABLED=true` turns all of it off.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer(auto_patch=False)
metrics = Metrics()


def trace_aws_calls() -> None:
    """Record each AWS SDK call as an X-Ray subsegment (no-op when tracing is off)."""
    tracer.patch(("botocore",))
