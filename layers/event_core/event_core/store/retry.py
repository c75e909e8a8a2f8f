"""Optimistic retries: re-read and try again when a guarded write lost a race."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import ClientError

from event_core.errors import Busy

T = TypeVar("T")

TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
    }
)


class StateChanged(Exception):
    """Raised inside an attempt when the state it read moved before its write landed."""


def with_retries(
    attempt: Callable[[], T],
    *,
    attempts: int = 25,
    base_delay: float = 0.01,
    max_delay: float = 0.4,
) -> T:
    """Run attempt() until it returns, retrying lost races and transient DynamoDB errors.

    Each retry waits a full-jitter exponential backoff. When every attempt lost, raise Busy:
    nothing was written by the failed attempts, so the client may simply retry later.
    """
    for number in range(attempts):
        try:
            return attempt()
        except StateChanged:
            pass
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in TRANSIENT_CODES:
                raise
        delay = min(max_delay, base_delay * 2**number)
        time.sleep(random.uniform(0, delay))  # noqa: S311 - jitter, not cryptography
    raise Busy()
