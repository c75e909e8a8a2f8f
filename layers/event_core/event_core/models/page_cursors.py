"""Page cursors: where each listing resumes, one strict type per listing (what a nextToken carries).

A cursor holds only the key attributes of the item a page ended on that its listing's route does
not fix (the listing of all events, which merges the statuses' reads, one such position per
status). The event id of an event's list, the user id of a user's list and the status of
`?status=` come from the route, never from the token, so no token can move a listing into another
event's, user's or status's items. Every field is as strict as the key attribute it stands for
(an id, a non-empty key string DynamoDB accepts, a waitlist ticket), unknown fields are refused,
and the store alone turns a cursor into the DynamoDB key (`ExclusiveStartKey`) and back.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, StringConstraints

from event_core.models.events import EventStatus
from event_core.models.fields import SINGLE_LINE, Id

# A string key attribute: DynamoDB refuses empty ones and sort keys over 1024 bytes (250
# characters are at most 1000 bytes of UTF-8). Dates, timestamps and sort strings fit easily.
KeyText = Annotated[str, StringConstraints(min_length=1, max_length=250, pattern=SINGLE_LINE)]
# A waitlist ticket: the event hands them out from 1; within float-exact range as a DynamoDB N.
WaitlistTicket = Annotated[int, Field(ge=1, le=2**53)]


class Cursor(BaseModel):
    """A cursor's fields have exactly their type (strict: no "3" for 3), and nothing else."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class EventsByStatusCursor(Cursor):
    """GET /events?status=: the status-date-utc-index of that status (the status is the route's),
    after an event and its date's instant."""

    eventId: Id
    dateUtc: KeyText


class EventsCursor(Cursor):
    """GET /events: each status's read of the status-date-utc-index, merged. A status named
    resumes after its position, or at its start (null); one not named has been read to its end."""

    after: Annotated[dict[EventStatus, EventsByStatusCursor | None], Field(min_length=1)]


class RegisteredKey(Cursor):
    """An event's registered-index (the event is the route's)."""

    userId: Id
    registeredSort: KeyText


class WaitlistKey(Cursor):
    """An event's waitlist-index (the event is the route's)."""

    userId: Id
    waitlistSeq: WaitlistTicket


class RegisteredPhase(Cursor):
    """An event's list, part way through its confirmed attendees."""

    phase: Literal["registered"]
    after: RegisteredKey


class WaitlistPhase(Cursor):
    """An event's list, in its waitlist: from its head (`after` null) or after a ticket."""

    phase: Literal["waitlisted"]
    after: WaitlistKey | None


class EventRegistrationsCursor(RootModel[RegisteredPhase | WaitlistPhase]):
    """GET /events/{eventId}/registrations: confirmed attendees first, then the waitlist."""

    model_config = ConfigDict(strict=True, frozen=True)

    root: Annotated[RegisteredPhase | WaitlistPhase, Field(discriminator="phase")]


class UserRegistrationsCursor(Cursor):
    """GET /users/{userId}/registrations: the user-index (the user is the route's)."""

    eventId: Id
    registeredAt: KeyText
