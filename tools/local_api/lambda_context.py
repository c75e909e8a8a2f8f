"""The context object the Lambda Python runtime passes a handler: the attributes and the method
that handlers and Powertools use. One class for the local workers, the tests and the benchmark.

Stdlib only, and nothing but this class: the cold-start benchmark keeps the function's own
import path, so it runs this file by its path (runpy.run_path) instead of importing it.
"""

from __future__ import annotations

import time

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
TIMEOUT_MS = 29_000  # the API functions' timeout, when the caller gives no deadline


class LambdaContext:
    def __init__(
        self,
        function_name: str,
        aws_request_id: str,
        *,
        deadline_ms: int | None = None,
        memory_limit_in_mb: int = 512,
        function_version: str = "$LATEST",
        log_group_name: str | None = None,
        log_stream_name: str = "local",
    ) -> None:
        self.function_name = function_name
        self.function_version = function_version
        self.memory_limit_in_mb = memory_limit_in_mb
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}"
        self.log_group_name = log_group_name or f"/aws/lambda/{function_name}"
        self.log_stream_name = log_stream_name
        self.aws_request_id = aws_request_id
        self.identity = None
        self.client_context = None
        self._deadline_ms = _now_ms() + TIMEOUT_MS if deadline_ms is None else deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - _now_ms(), 0)


def _now_ms() -> int:
    return int(time.time() * 1000)
