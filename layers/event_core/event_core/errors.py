"""Typed domain errors. They carry a client-facing message, never an HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    message = "Request failed"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)

    @property
    def detail(self) -> str:
        return str(self.args[0])


class NotFound(DomainError):
    message = "Not found"


class EventNotFound(NotFound):
    message = "Event not found"


class UserNotFound(NotFound):
    message = "User not found"


class NotRegistered(NotFound):
    message = "Not registered for this event"


class Conflict(DomainError):
    message = "Conflict"


class EventAlreadyExists(Conflict):
    message = "Event already exists"


class UserAlreadyExists(Conflict):
    message = "User already exists"


class AlreadyRegistered(Conflict):
    message = "Already registered for this event"


class EventFull(Conflict):
    message = "Event is full"


class EventNotOpen(Conflict):
    message = "Event is not open for registration"


class NoOffer(Conflict):
    message = "No offer to answer: no spot is offered to this person at this event"


class OfferExpired(Conflict):
    message = "The offer has expired: the spot is offered to the next in line"


class CapacityBelowRegistered(Conflict):
    message = "Capacity cannot be lower than the number of registered attendees"


class CapacityBelowOffered(CapacityBelowRegistered):
    """offer mode: the capacity would leave outstanding offers without the spots they hold."""

    message = "Capacity cannot be lower than the spots registered or offered"


class OfferNotDue(DomainError):
    """An offer's expiry ran well before the offer's time (a clock or a scheduler early): the
    invocation fails, so that the scheduler tries it again later. Never an HTTP answer."""

    message = "The offer has not expired yet"


class BadRequest(DomainError):
    message = "Bad request"


class NoFieldsToUpdate(BadRequest):
    message = "No fields to update"


class InvalidPageToken(BadRequest):
    message = "Invalid nextToken"


class InvalidPrecondition(BadRequest):
    message = "Invalid If-Match header"


class InvalidQuery(DomainError):
    """Query parameters each valid alone but not together (a date range that ends before it
    starts): answered like any other invalid request (422), naming the parameter."""

    message = "Invalid query parameters"

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class PreconditionFailed(DomainError):
    """The event changed since the client read the ETag it sent in If-Match."""

    message = "Precondition Failed"


class Forbidden(DomainError):
    """The caller is known but may not do this (AuthMode COGNITO: event_core.authorization)."""

    message = "Forbidden"


class Busy(DomainError):
    """Retries against a contended or throttled table ran out; safe for the client to retry."""

    message = "Service busy, please retry"


class ListingNotReady(Busy):
    """The index the listing reads is not there or still being built (a deploy that adds it)."""

    message = "Events are being indexed, please retry"


class RegistrationNotOpenYet(Conflict):
    message = "Registration is not open yet"


class RegistrationClosed(Conflict):
    message = "Registration is closed"


class CheckInNotOpen(Conflict):
    message = "Check-in is not open for this event"


class NotAnAttendee(Conflict):
    message = "Only registered attendees can be checked in"


class CheckedInCannotLeave(Conflict):
    message = "Checked-in attendees cannot unregister"


class InvalidField(DomainError):
    """A field valid on its own but not with the event's other fields (answered 422, in the
    shape of a request validation error)."""

    message = "Invalid field"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
