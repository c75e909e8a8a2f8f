"""Stream record -> domain events for offers: OfferMade and OfferAccepted from the registration,
OfferDeclined and OfferExpired from the stamp the ending write left on the event item."""

from __future__ import annotations

from typing import Any

import pytest

from event_core.domain_events.changes import StreamChange, domain_events
from event_core.domain_events.models import OfferAccepted, OfferDeclined, OfferExpired, OfferMade

from .records import event_item, registration

RECORDED_AT = "2027-01-15T08:00:00.000000Z"
OFFERED_AT = "2027-01-12T12:00:00.000000Z"
EXPIRES_AT = "2027-01-13T12:00:01.000000Z"


def change(table: str, kind: str, old: dict[str, Any], new: dict[str, Any]) -> StreamChange:
    return StreamChange(table, kind, "rec-1", old, new, RECORDED_AT)  # type: ignore[arg-type]


def no_lookup(event_id: str) -> str | None:
    raise AssertionError("no lookup expected")


def offered(waiting: dict[str, Any]) -> dict[str, Any]:
    item = {k: v for k, v in waiting.items() if k != "waitlistSeq"}
    return {
        **item,
        "status": "offered",
        "registeredSort": f"{OFFERED_AT}#000000000001#{waiting['userId']}",
        "offeredAt": OFFERED_AT,
        "offerId": "offer-1",
        "offerExpiresAt": EXPIRES_AT,
    }


def test_an_offer_made_is_offer_made():
    waiting = registration("ev1", "cleo", "waitlisted")

    (event,) = domain_events(change("registrations", "MODIFY", waiting, offered(waiting)), no_lookup)

    assert isinstance(event, OfferMade)
    assert event.occurredAt == OFFERED_AT
    assert (event.data.userId, event.data.offerId, event.data.offerExpiresAt) == (
        "cleo",
        "offer-1",
        EXPIRES_AT,
    )


def test_an_offer_taken_is_offer_accepted():
    offer = offered(registration("ev1", "cleo", "waitlisted"))
    taken = {k: v for k, v in offer.items() if k not in ("offerId", "offerExpiresAt", "offeredAt")}
    taken |= {"status": "registered", "promotedAt": "2027-01-12T13:00:00.000000Z"}

    (event,) = domain_events(change("registrations", "MODIFY", offer, taken), no_lookup)

    assert isinstance(event, OfferAccepted)
    assert (event.data.offerId, event.data.acceptedAt) == ("offer-1", "2027-01-12T13:00:00.000000Z")


def test_an_offer_removed_publishes_nothing_from_the_registration():
    offer = offered(registration("ev1", "cleo", "waitlisted"))

    assert domain_events(change("registrations", "REMOVE", offer, {}), no_lookup) == []


@pytest.mark.parametrize(("outcome", "kind"), [("declined", OfferDeclined), ("expired", OfferExpired)])
def test_the_stamp_of_an_ended_offer_tells_declined_from_expired(outcome, kind):
    before = event_item("ev1", offeredCount=1)
    stamp = {
        "lastOfferId": "offer-1",
        "lastOfferUserId": "cleo",
        "lastOfferRegisteredAt": "2027-01-10T10:00:00.000000Z",
        "lastOfferOutcome": outcome,
        "lastOfferClosedAt": EXPIRES_AT,
    }
    after = {**before, **stamp, "offeredCount": 0}

    (event,) = domain_events(change("events", "MODIFY", before, after), no_lookup)

    assert isinstance(event, kind)
    assert event.occurredAt == EXPIRES_AT
    assert (event.data.eventId, event.data.userId, event.data.offerId) == ("ev1", "cleo", "offer-1")
    # a later write that leaves the same stamp (a registration's counters) publishes nothing more
    assert domain_events(change("events", "MODIFY", after, {**after, "registeredCount": 1}), no_lookup) == []
