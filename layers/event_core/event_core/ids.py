"""Identifiers: the safe alphabet every event and user id must use, and id generation.

An id is 1-100 characters of letters, digits and `-_.:`, not all of them dots. Ids travel as URL
path segments, and HTTP clients rewrite the segments `.` and `..` before sending (curl,
python-requests and browsers resolve them as RFC 3986 and the WHATWG URL standard say; browsers
also read `%2e` as a dot): with an attendee `..`, `DELETE /events/e1/registrations/..` leaves
the client as `DELETE /events/e1/`. Refusing every id made only of dots covers those two and
`...` too, which no one needs as a name and which a client that trims trailing dots from
segments (old .NET `Uri`, Windows paths) would turn into one.

This is the one rule: the request models' `Id` field (`ID_PATTERN`, `ID_MAX_LENGTH`) and the
lookups of path parameters (`is_valid_id`: an id that is not valid cannot exist, 404) both use it.
"""

from __future__ import annotations

import re
import uuid

ID_MAX_LENGTH = 100
# At least one character that is not a dot; the length is checked apart, so the pattern has no
# lookahead and reads the same in pydantic (Rust regex), Python and JSON Schema (ECMAScript).
ID_PATTERN = r"^[A-Za-z0-9_.:-]*[A-Za-z0-9_:-][A-Za-z0-9_.:-]*$"
_ID_RE = re.compile(ID_PATTERN)


def is_valid_id(value: str) -> bool:
    return len(value) <= ID_MAX_LENGTH and _ID_RE.fullmatch(value) is not None


def new_id() -> str:
    return str(uuid.uuid4())


# An event's admission queue lives in the registrations table under its own partition key.
# Ids never contain '#', so a queue partition can never be taken for an event's registrations.
QUEUE_PREFIX = "queue#"


def queue_partition(event_id: str) -> str:
    return f"{QUEUE_PREFIX}{event_id}"


def is_queue_partition(partition: str) -> bool:
    return partition.startswith(QUEUE_PREFIX)
