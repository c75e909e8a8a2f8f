"""The one switch: DYNAMODB_MODEL=aws puts the model in front of a DynamoDB endpoint."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from dynamodb_model.latency import Latencies
from dynamodb_model.proxy import start_model

CHOICES = {"": False, "off": False, "local": False, "aws": True}


def model_requested(env: Mapping[str, str] = os.environ) -> bool:
    """DYNAMODB_MODEL: `aws` (conflicts and latencies as on AWS) or unset/`local` (plain DynamoDB Local)."""
    value = env.get("DYNAMODB_MODEL", "").strip().lower()
    if value not in CHOICES:
        raise ValueError(f"DYNAMODB_MODEL={value!r}: use 'aws' or 'local'")
    return CHOICES[value]


@contextmanager
def modeled(endpoint: str, env: Mapping[str, str] = os.environ) -> Iterator[str]:
    """The endpoint clients should use: `endpoint` itself, or the model's proxy in front of it."""
    if not model_requested(env):
        yield endpoint
        return
    with start_model(endpoint, Latencies.from_env(env)) as model:
        yield model.endpoint
