"""Optimistic retries: re-read and try again when a guarded write lost a race."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

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
        "TransactionConflictException",  # a single-item write that met a transaction on its item
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
# Contention, not an outage: retried like a lost race (botocore does not retry it).
CONFLICT_CODES = frozenset({"TransactionConflictException"})
# Each attempt's DynamoDB calls are already retried by botocore (standard mode, 4 attempts with
# backoff): one more attempt rides out a burst; more would only pile load on a throttled table
# and run into the Lambda timeout (29 s) instead of answering 503.
TRANSIENT_ATTEMPTS = 2


class StateChanged(Exception):
    """Raised inside an attempt when the state it read moved before its write landed."""


def _code(error: ClientError) -> str | None:
    return error.response.get("Error", {}).get("Code")


def is_transient(error: BaseException) -> bool:
    """A DynamoDB failure that may pass by itself: throttling, conflicts, 5xx, lost connections."""
    if isinstance(error, ClientError):
        return _code(error) in TRANSIENT_CODES
    return isinstance(error, BotocoreConnectionError | HTTPClientError)


def pause(number: int, *, base_delay: float = 0.01, max_delay: float = 0.4) -> None:
    """Sleep a full-jitter exponential backoff before retry `number` (0-based)."""
    delay = min(max_delay, base_delay * 2**number)
    time.sleep(random.uniform(0, delay))  # noqa: S311 - jitter, not cryptography


UNPROCESSED_ROUNDS = 10


def unprocessed_rounds() -> Iterator[int]:
    """Rounds of a batch call that re-sends what DynamoDB left unprocessed (it does when throttled).

    Backs off between rounds; raises Busy if the batch has not drained after UNPROCESSED_ROUNDS.
    The caller breaks out of the loop once nothing is left.
    """
    for number in range(UNPROCESSED_ROUNDS):
        if number:
            pause(number - 1)
        yield number
    raise Busy()


def with_retries(
    attempt: Callable[[], T],
    *,
    attempts: int = 25,
    transient_attempts: int = TRANSIENT_ATTEMPTS,
    base_delay: float = 0.01,
    max_delay: float = 0.4,
) -> T:
    """Run attempt() until it returns, retrying lost races and transient DynamoDB errors.

    Each retry waits a full-jitter exponential backoff. Lost races (StateChanged, and a write
    that met a transaction on its item) get up to `attempts` tries, other transient errors
    (throttling, 5xx, which botocore has already retried) up to `transient_attempts`. Then raise
    Busy: the failed attempts wrote nothing (each write is one conditional item write or one
    transaction), so the client may simply retry later.
    """
    transient = 0
    for number in range(attempts):
        try:
            return attempt()
        except StateChanged:
            pass
        except ClientError as error:
            if not is_transient(error):
                raise
            if _code(error) not in CONFLICT_CODES:
                transient += 1
                if transient >= transient_attempts:
                    raise Busy() from error
        pause(number, base_delay=base_delay, max_delay=max_delay)
    raise Busy()
