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
