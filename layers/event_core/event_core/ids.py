"""Identifiers: the safe alphabet every event and user id must use, and id generation."""

from __future__ import annotations

import re
import uuid

ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,100}$"
_ID_RE = re.compile(ID_PATTERN)


def is_valid_id(value: str) -> bool:
    return _ID_RE.fullmatch(value) is not None


def new_id() -> str:
    return str(uuid.uuid4())


# An event's admission queue lives in the registrations table under its own partition key.
# Ids never contain '#', so a queue partition can never be taken for an event's registrations.
QUEUE_PREFIX = "queue#"


def queue_partition(event_id: str) -> str:
    return f"{QUEUE_PREFIX}{event_id}"


def is_queue_partition(partition: str) -> bool:
    return partition.startswith(QUEUE_PREFIX)
