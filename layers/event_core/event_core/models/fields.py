"""Reusable validated field types shared by the request models."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema

from event_core.ids import ID_MAX_LENGTH, ID_PATTERN
from event_core.models import dates


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


NotBlank = AfterValidator(_not_blank)

# Text is any Unicode except control characters (C0, DEL, C1): they break logs, CSV exports and
# terminals downstream. Multi-line text may hold tabs and line breaks.
SINGLE_LINE = r"^[^\x00-\x1f\x7f-\x9f]*$"
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"

Id = Annotated[str, StringConstraints(max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
# A queued registration request's id (its arrival, nanoseconds): what a 202's Location carries.
RequestId = Annotated[str, StringConstraints(pattern=r"^[0-9]{20}$")]
# The descriptions and examples are what the OpenAPI document shows for the request fields.
Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=SINGLE_LINE),
    NotBlank,
    Field(description="The event's name: one line, not blank", examples=["PyCon 2027"]),
]
Description = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2000, pattern=MULTI_LINE),
    NotBlank,
    Field(
        description="What the event is: may hold tabs and line breaks, not blank",
        examples=["Talks and sprints"],
    ),
]
Location = Annotated[
    str,
    StringConstraints(min_length=1, max_length=500, pattern=SINGLE_LINE),
    NotBlank,
    Field(description="Where it takes place: one line, not blank", examples=["Pittsburgh"]),
]
Organizer = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=SINGLE_LINE),
    NotBlank,
    Field(description="Who organizes it, as attendees should read it: one line, not blank", examples=["PSF"]),
]
PersonName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=SINGLE_LINE),
    NotBlank,
    Field(description="The person's name as others see it: one line, not blank", examples=["Ana"]),
]
# Documented as exactly what is accepted: the pattern is the syntax, the format the calendar.
_DATE_SCHEMA = {
    "type": "string",
    "maxLength": dates.MAX_LENGTH,
    "pattern": dates.PATTERN,
    "anyOf": [{"format": "date"}, {"format": "date-time"}],
    "description": (
        "An RFC 3339 full-date (YYYY-MM-DD), or date-time with seconds and an offset "
        "(YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)), whose instant in UTC lies in the years "
        "0001 to 9999. Kept as sent, with T and Z in upper case. Events are listed by that instant; "
        "a date by the start of its day in UTC."
    ),
    "examples": [dates.EXAMPLE, "2027-05-14"],
}
EventDate = Annotated[
    str,
    StringConstraints(max_length=dates.MAX_LENGTH),
    AfterValidator(dates.canonical),
    WithJsonSchema(_DATE_SCHEMA),
]
# A bound of a date range (GET /events?from=&to=): accepted and read as an event's date is.
DateBound = Annotated[
    str,
    StringConstraints(max_length=dates.MAX_LENGTH),
    AfterValidator(dates.canonical),
    WithJsonSchema(
        {key: value for key, value in _DATE_SCHEMA.items() if key not in ("description", "examples")}
    ),
]
# A registration window's bound: the same forms as an event's date (a date is 00:00 UTC that day).
_WINDOW_SCHEMA = {
    **_DATE_SCHEMA,
    "description": (
        "An RFC 3339 date-time with seconds and an offset (YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)),"
        " or a full-date (YYYY-MM-DD: 00:00 UTC that day). Kept as sent, with T and Z in upper case."
    ),
    "examples": ["2027-05-01T09:00:00Z"],
}
WindowBound = Annotated[
    str,
    StringConstraints(max_length=dates.MAX_LENGTH),
    AfterValidator(dates.canonical),
    WithJsonSchema(_WINDOW_SCHEMA),
]
Capacity = Annotated[
    int,
    Field(
        ge=1,
        le=100_000,
        description=(
            "How many people may be registered at once; when all spots are taken, newcomers join the"
            " waitlist (if enabled) or are refused"
        ),
        examples=[2],
    ),
]
