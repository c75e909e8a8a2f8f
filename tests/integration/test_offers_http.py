"""Offers over HTTP, through the local API server (as `make dev` serves them): an offer made by a
leave, declined and passed on, accepted, shown in the lists; and one left unanswered, expired by
the local stack's scheduler (EventBridge Scheduler on moto) at its time."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from event_core.store.schedules import schedule_name
from tests.domain_events.local_events import LocalEvents, unique
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


@pytest.mark.long
def test_an_unanswered_offer_expires_on_time_through_the_local_scheduler(
    http_api: HttpApi, api_url, ddb_client
):
    # Given a one-spot event in offer mode with the shortest hold: ana holds the spot, ben and
    # cleo wait
    created = http_api.create_event(
        event_body(capacity=1, waitlistEnabled=True, waitlistMode="offer", offerHoldSeconds=10)
    )
    event_id = created.body["eventId"]
    ana, ben, cleo = create_users(http_api, 3)
    for user_id in (ana, ben, cleo):
        assert http_api.register(event_id, user_id).status == 201

    # When ana leaves, ben is offered the spot, and the offer's stream record schedules its expiry
    assert http_api.unregister(event_id, ana).body["offeredUserId"] == ben
    offer = assert_invariants(ddb_client, event_id).row(ben)
    local = LocalEvents(api_url)
    local.drain()
    schedule = f"OfferSchedules/{schedule_name(offer['offerId'])}"
    assert local.schedule_firings(schedule) == []  # not due yet

    # And nobody answers until the offer's time has passed (no request reaches the API)
    wait_until(offer["offerExpiresAt"])
    local.fire_schedules()  # on return, every schedule due has fired (here or by the dispatcher)
    local.drain()

    # Then the scheduler ran the expiry once: ben lost the offer, cleo, next in line, has it
    assert len(local.schedule_firings(schedule)) == 1
    assert http_api.registration(event_id, ben).status == 404
    places = assert_invariants(ddb_client, event_id)
    assert (places.registered, places.offered, places.waitlisted) == ([], [cleo], [])
    expired = [e for e in unique(local.published(event_id)) if e["detail-type"] == "OfferExpired"]
    assert [e["detail"]["data"]["userId"] for e in expired] == [ben]


def wait_until(instant: str) -> None:
    """Sleep until the server's clock has passed `instant` (a server timestamp, UTC)."""
    due = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    while (left := (due - datetime.now(UTC)).total_seconds()) >= 0:
        time.sleep(left + 0.05)
