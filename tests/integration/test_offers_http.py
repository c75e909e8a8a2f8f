"""Offers over HTTP, through the local API server (as `make dev` serves them): an offer made by a
leave, declined and passed on, accepted, shown in the lists. (Expiry needs the local scheduler.)"""

from __future__ import annotations

import pytest

from tests.support.invariants import assert_invariants

from .drivers import HttpApi
from .factories import create_users, event_body

pytestmark = [pytest.mark.integration, pytest.mark.http]


def test_an_offer_is_declined_passed_on_and_accepted(http_api: HttpApi, ddb_client):
    # Given a one-spot event in offer mode: ana holds the spot, ben and cleo wait
    created = http_api.create_event(
        event_body(capacity=1, waitlistEnabled=True, waitlistMode="offer", offerHoldSeconds=600)
    )
    assert created.status == 201, created
    assert (created.body["waitlistMode"], created.body["offerHoldSeconds"], created.body["offeredCount"]) == (
        "offer",
        600,
        0,
    )
    event_id = created.body["eventId"]
    ana, ben, cleo = create_users(http_api, 3)
    for user_id in (ana, ben, cleo):
        assert http_api.register(event_id, user_id).status == 201

    # When ana leaves, ben is offered the spot
    left = http_api.unregister(event_id, ana)
    assert (left.status, left.body["promotedUserId"], left.body["offeredUserId"]) == (200, None, ben)
    offer = http_api.registration(event_id, ben)
    assert (offer.status, offer.body["status"]) == (200, "offered")
    assert offer.body["offerExpiresAt"] > offer.body["registeredAt"]

    # When ben declines, cleo is offered it; a second decline finds nothing
    declined = http_api.call("POST", f"/events/{event_id}/registrations/{ben}/decline")
    assert (declined.status, declined.body["message"], declined.body["offeredUserId"]) == (
        200,
        "Offer declined",
        cleo,
    )
    assert http_api.call("POST", f"/events/{event_id}/registrations/{ben}/decline").status == 404

    # Then the list shows cleo's offer apart; when she accepts she holds the spot
    listed = http_api.event_registrations(event_id)
    assert [r["userId"] for r in listed.body["offered"]] == [cleo]
    assert (listed.body["registeredCount"], listed.body["offeredCount"], listed.body["waitlistCount"]) == (
        0,
        1,
        0,
    )
    accepted = http_api.call("POST", f"/events/{event_id}/registrations/{cleo}/accept")
    assert (accepted.status, accepted.body["status"]) == (200, "registered")
    places = assert_invariants(ddb_client, event_id)
    assert (places.registered, places.offered, places.waitlisted) == ([cleo], [], [])

    # And the mode switches back on the waitlist route
    switched = http_api.call("PUT", f"/events/{event_id}/waitlist", json={"waitlistMode": "auto"})
    assert (switched.status, switched.body["waitlistMode"]) == (200, "auto")
