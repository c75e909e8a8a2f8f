"""Today's retry policy, read from the code that applies it so the simulation cannot drift."""

from __future__ import annotations

import inspect
import random

from event_core.store.retry import with_retries

_DEFAULTS = inspect.signature(with_retries).parameters
ATTEMPTS: int = _DEFAULTS["attempts"].default
BASE_DELAY_S: float = _DEFAULTS["base_delay"].default
MAX_DELAY_S: float = _DEFAULTS["max_delay"].default
RETRY_AFTER_S = 1.0  # the Retry-After header of a 503 (event_core.edge.http's error mapping)


# The longest pause after failed attempt `number` (0-based): `pause` sleeps uniform(0, ceiling).
CEILINGS_S: tuple[float, ...] = tuple(min(MAX_DELAY_S, BASE_DELAY_S * 2**n) for n in range(ATTEMPTS))


def backoff(rng: random.Random, number: int) -> float:
    """The full-jitter pause `event_core.store.retry.pause` sleeps after failed attempt `number`."""
    return rng.random() * CEILINGS_S[number]  # what rng.uniform(0, ceiling) computes
