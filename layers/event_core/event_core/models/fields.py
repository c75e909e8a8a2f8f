"""Reusable validated field types shared by the request models."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema

from event_core.ids import ID_MAX_LENGTH, ID_PATTERN


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


_YMD = re.compile(r"\d{4}-\d{2}-\d{2}")


def _calendar_date(value: str) -> str:
    """Accept YYYY-MM-DD or an ISO 8601 date-time that names a real day and time."""
    try:
        if not _YMD.match(value):
            raise ValueError
        if len(value) == 10:
            date.fromisoformat(value)
        elif len(value) > 10 and value[10] == "T":
            datetime.fromisoformat(value)
        else:
            raise ValueError
    except ValueError:
        raise ValueError("must be a valid date (YYYY-MM-DD) or ISO 8601 date-time") from None
    return value


NotBlank = AfterValidator(_not_blank)

# Text is any Unicode except control characters (C0, DEL, C1): they break logs, CSV exports and
# terminals downstream. Multi-line text may hold tabs and line breaks.
SINGLE_LINE = r"^[^\x00-\x1f\x7f-\x9f]*$"
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"

Id = Annotated[str, StringConstraints(max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
# A queued registration request's id (its arrival, nanoseconds): what a 202's Location carries.
RequestId = Annotated[str, StringConstraints(pattern=r"^[0-9]{20}$")]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=SINGLE_LINE), NotBlank]
Description = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=MULTI_LINE), NotBlank]
Location = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=SINGLE_LINE), NotBlank]
Organizer = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=SINGLE_LINE), NotBlank]
PersonName = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=SINGLE_LINE), NotBlank]
# Documented as what it is, a date or a date-time, so generated examples are (mostly) valid.
_DATE_SCHEMA = {
    "type": "string",
    "maxLength": 40,
    "anyOf": [{"format": "date"}, {"format": "date-time"}],
    "description": "YYYY-MM-DD, or an ISO 8601 date-time such as 2027-05-14T09:30:00Z",
}
EventDate = Annotated[
    str, StringConstraints(max_length=40), AfterValidator(_calendar_date), WithJsonSchema(_DATE_SCHEMA)
]
Capacity = Annotated[int, Field(ge=1, le=100_000)]
