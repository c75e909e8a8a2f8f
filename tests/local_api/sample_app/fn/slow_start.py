"""A function whose module takes longer to import than its Timeout (1 s) gives an invocation."""

from __future__ import annotations

import json
import time
from typing import Any

IMPORT_SECONDS = 1.5
time.sleep(IMPORT_SECONDS)


def handler(event: Any, context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "body": json.dumps({"remaining_ms": context.get_remaining_time_in_millis()})}
