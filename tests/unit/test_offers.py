"""Offers (the `offer` waitlist mode): a freed spot is offered to the waitlist's head, who accepts
or declines within the hold; an offer not answered in time expires, once, and passes on."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from event_core import admission, errors, offers
from event_core import events as events_use_cases
from event_core.attendance import event_registrations
from event_core.clock import iso
from event_core.events import delete_event, get_event, update_event
from event_core.models.registrations import Registration
from event_core.offers import accept_offer, decline_offer, expire_offer
from event_core.registration import registration_status, unregister
from event_core.store import retry
from event_core.store.transactions import TransactionCancelled
from tests.support.builders import a_crowd_registered, a_user, an_event, placed, register_all, some_users
from tests.support.environment import clear_caches
from tests.support.fault_points import dying_at
from tests.support.invariants import assert_invariants

HOLD = 3600
Later = Callable[[float], None]


def an_offer_event(*, capacity: int = 1, status: str = "active") -> str:
    return an_event(
        capacity=capacity, waitlist=True, status=status, waitlistMode="offer", offerHoldSeconds=HOLD
    )


def an_outstanding_offer(*, waiting: int) -> tuple[str, str, list[str]]:
    """A one-spot offer-mode event whose holder left: the spot is offered to the first in line,
    `waiting` more wait behind them. Returns the event, the person offered and those waiting."""
    event_id = an_offer_event(capacity=1)
    holder, offered, *behind = some_users(2 + waiting)
    register_all(event_id, [holder, offered, *behind])
    assert unregister(event_id, holder).offeredUserId == offered
    return event_id, offered, behind


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> Later:
    """Move the offers' clock forward by some seconds (offers made then expire from then on)."""
    offset = timedelta()

    def move(seconds: float) -> None:
        nonlocal offset
        offset += timedelta(seconds=seconds)

    monkeypatch.setattr(offers, "now_iso", lambda: iso(datetime.now(UTC) + offset))
    return move


def offer_id(ddb, event_id: str, user_id: str) -> str:
    return assert_invariants(ddb, event_id).row(user_id)["offerId"]


def test_a_leave_offers_the_spot_to_the_head_of_the_waitlist(ddb):
    # Given a full offer-mode event with two people waiting
    event_id = an_offer_event(capacity=1)
    holder, first, second = some_users(3)
    register_all(event_id, [holder, first, second])

    # When the registered person leaves
    left = unregister(event_id, holder)

    # Then the spot is offered to the first in line, who no longer waits; the second moves up
    assert (left.offeredUserId, left.promotedUserId) == (first, None)
    places = assert_invariants(ddb, event_id)
    assert (places.registered, places.offered, places.waitlisted) == ([], [first], [second])
    offer = registration_status(event_id, first)
    assert isinstance(offer, Registration)
    assert offer.status == "offered"
    assert offer.waitlistPosition is None
    assert offer.offerExpiresAt is not None
    assert offer.offerExpiresAt.endswith(".000000Z")
    waiting = registration_status(event_id, second)
    assert isinstance(waiting, Registration)
    assert waiting.waitlistPosition == 1
    event = get_event(event_id).event
    assert (event.registeredCount, event.offeredCount, event.waitlistCount) == (0, 1, 1)


def test_the_offer_holds_the_spot_against_newcomers(ddb):
    # Given an offer outstanding on the one spot, and nobody else waiting
    event_id, offered, _ = an_outstanding_offer(waiting=0)

    # When someone new registers
    newcomer = placed(event_id, a_user())

    # Then they join the waitlist: the offered spot is not free
    assert newcomer.status == "waitlisted"
    assert newcomer.waitlistPosition == 1
    assert assert_invariants(ddb, event_id).offered == [offered]


def test_accepting_registers_the_person(ddb):
    event_id, offered, (waiting,) = an_outstanding_offer(waiting=1)

    accepted = accept_offer(event_id, offered)

    assert accepted.status == "registered"
    assert accepted.offerExpiresAt is None
    places = assert_invariants(ddb, event_id)
    assert (places.registered, places.offered, places.waitlisted) == ([offered], [], [waiting])
    assert accept_offer(event_id, offered).status == "registered"  # again: the same answer


def test_declining_passes_the_offer_to_the_next_in_line(ddb):
    event_id, first, (second, third) = an_outstanding_offer(waiting=2)

    declined = decline_offer(event_id, first)

    assert declined.message == "Offer declined"
    assert declined.offeredUserId == second
    places = assert_invariants(ddb, event_id)
    assert (places.offered, places.waitlisted) == ([second], [third])
    with pytest.raises(errors.NotRegistered):
        registration_status(event_id, first)


def test_leaving_while_offered_declines(ddb):
    event_id, first, (second,) = an_outstanding_offer(waiting=1)

    left = unregister(event_id, first)

    assert left.offeredUserId == second
    assert assert_invariants(ddb, event_id).offered == [second]


def test_only_an_offered_person_can_accept_or_decline(ddb):
    event_id = an_offer_event(capacity=1)
    holder, waiting = some_users(2)
    register_all(event_id, [holder, waiting])

    with pytest.raises(errors.NoOffer):
        accept_offer(event_id, waiting)
    with pytest.raises(errors.NoOffer):
        decline_offer(event_id, holder)
    with pytest.raises(errors.NotRegistered):
        accept_offer(event_id, a_user())
    with pytest.raises(errors.EventNotFound):
        accept_offer("no-such-event", holder)
    assert_invariants(ddb, event_id)


def test_accepting_after_the_expiry_time_is_refused_before_the_expiry_runs(ddb, later):
    event_id, offered, _ = an_outstanding_offer(waiting=1)

    later(HOLD + 1)

    with pytest.raises(errors.OfferExpired):
        accept_offer(event_id, offered)
    with pytest.raises(errors.OfferExpired):
        decline_offer(event_id, offered)
    assert assert_invariants(ddb, event_id).offered == [offered]  # until the expiry runs


def test_an_expiry_passes_the_spot_on_once(ddb, later):
    event_id, first, (second,) = an_outstanding_offer(waiting=1)
    offer = offer_id(ddb, event_id, first)

    later(HOLD + 1)
    assert expire_offer(event_id, first, offer) is True
    assert expire_offer(event_id, first, offer) is False  # a second run: nothing left to do

    places = assert_invariants(ddb, event_id)
    assert (places.offered, places.waitlisted) == ([second], [])
    with pytest.raises(errors.NotRegistered):
        registration_status(event_id, first)


def test_expiries_chain_through_the_waitlist(ddb, later):
    # Given A offered the one spot, B and C waiting
    event_id, a, (b, c) = an_outstanding_offer(waiting=2)

    # When A's offer expires, then B's (each made when the one before expired)
    later(HOLD + 1)
    assert expire_offer(event_id, a, offer_id(ddb, event_id, a))
    assert assert_invariants(ddb, event_id).offered == [b]
    b_offer = offer_id(ddb, event_id, b)
    with pytest.raises(errors.OfferNotDue):  # B's offer runs a full hold from A's expiry
        expire_offer(event_id, b, b_offer)
    later(HOLD + 1)
    assert expire_offer(event_id, b, b_offer)

    # Then C holds the offer, and can take the spot
    assert assert_invariants(ddb, event_id).offered == [c]
    assert accept_offer(event_id, c).status == "registered"
    places = assert_invariants(ddb, event_id)
    assert (places.registered, places.offered, places.waitlisted) == ([c], [], [])


def test_an_expiry_run_far_too_early_fails_to_be_retried(ddb):
    event_id, offered, _ = an_outstanding_offer(waiting=0)

    with pytest.raises(errors.OfferNotDue):
        expire_offer(event_id, offered, offer_id(ddb, event_id, offered))
    assert assert_invariants(ddb, event_id).offered == [offered]


def test_an_expiry_of_another_offer_does_nothing(ddb, later):
    event_id, offered, _ = an_outstanding_offer(waiting=0)
    later(HOLD + 1)

    assert expire_offer(event_id, offered, "another-offer") is False
    assert expire_offer(event_id, a_user(), "any") is False
    assert expire_offer("no-such-event", offered, "any") is False
    assert assert_invariants(ddb, event_id).offered == [offered]


@pytest.mark.parametrize("accept_first", [True, False])
def test_of_an_accept_and_an_expiry_only_the_first_lands(ddb, later, accept_first):
    event_id, offered, (waiting,) = an_outstanding_offer(waiting=1)
    offer = offer_id(ddb, event_id, offered)

    expected: tuple[list[str], list[str], list[str]]
    if accept_first:
        accept_offer(event_id, offered)
        later(HOLD + 1)
        assert expire_offer(event_id, offered, offer) is False
        expected = ([offered], [], [waiting])
    else:
        later(HOLD + 1)
        assert expire_offer(event_id, offered, offer) is True
        with pytest.raises(errors.NotRegistered):
            accept_offer(event_id, offered)
        expected = ([], [waiting], [])
    places = assert_invariants(ddb, event_id)
    assert (places.registered, places.offered, places.waitlisted) == expected


def test_a_capacity_raise_makes_several_offers_in_queue_order(ddb):
    event_id = an_offer_event(capacity=2)
    users = some_users(6)
    register_all(event_id, users)

    applied = update_event(event_id, {"capacity": 5})

    assert applied.offered == tuple(users[2:5])
    assert applied.promoted == ()
    assert applied.event.offeredCount == 3
    places = assert_invariants(ddb, event_id)
    assert (places.offered, places.waitlisted) == (users[2:5], users[5:])


def test_the_capacity_cannot_drop_below_the_spots_held(ddb):
    event_id = an_offer_event(capacity=2)
    users = some_users(3)
    register_all(event_id, users)
    unregister(event_id, users[0])  # one registered, one offered

    with pytest.raises(errors.CapacityBelowOffered):
        update_event(event_id, {"capacity": 1})
    assert_invariants(ddb, event_id)


def test_offers_of_a_cancelled_event_cannot_be_taken_and_expire_without_a_next_offer(ddb, later):
    event_id, offered, (waiting,) = an_outstanding_offer(waiting=1)
    offer = offer_id(ddb, event_id, offered)

    update_event(event_id, {"status": "cancelled"})

    with pytest.raises(errors.EventNotOpen):
        accept_offer(event_id, offered)
    later(HOLD + 1)
    assert expire_offer(event_id, offered, offer) is True
    places = assert_invariants(ddb, event_id)
    assert (places.offered, places.waitlisted) == ([], [waiting])


def test_offers_go_with_a_deleted_event(ddb, later):
    event_id, offered, _ = an_outstanding_offer(waiting=1)
    offer = offer_id(ddb, event_id, offered)

    delete_event(event_id)

    later(HOLD + 1)
    assert expire_offer(event_id, offered, offer) is False
    with pytest.raises(errors.EventNotFound):
        accept_offer(event_id, offered)
    assert assert_invariants(ddb, event_id).rows == []


def test_switching_to_auto_keeps_the_offers_and_promotes_from_then_on(ddb):
    event_id = an_offer_event(capacity=2)
    a, b, c, d = some_users(4)
    register_all(event_id, [a, b, c, d])
    unregister(event_id, a)  # c offered

    update_event(event_id, {"waitlistMode": "auto"})
    left = unregister(event_id, b)

    assert (left.promotedUserId, left.offeredUserId) == (d, None)
    places = assert_invariants(ddb, event_id)
    assert (places.registered, places.offered, places.waitlisted) == ([d], [c], [])
    assert accept_offer(event_id, c).status == "registered"
    assert_invariants(ddb, event_id)  # no offers left: the older checker agrees


def test_auto_mode_promotes_as_before(ddb):
    event_id = an_event(capacity=1, waitlist=True)
    holder, waiting = some_users(2)
    register_all(event_id, [holder, waiting])

    left = unregister(event_id, holder)

    assert (left.promotedUserId, left.offeredUserId) == (waiting, None)
    assert get_event(event_id).event.waitlistMode == "auto"
    assert_invariants(ddb, event_id)
    assert_invariants(ddb, event_id)


def test_the_event_list_shows_offers_apart(ddb):
    event_id = an_offer_event(capacity=2)
    a, b, c, d = some_users(4)
    register_all(event_id, [a, b, c, d])
    unregister(event_id, a)

    page = event_registrations(event_id, limit=100, next_token=None)

    assert [r.userId for r in page.registered] == [b]
    assert [(r.userId, r.status) for r in page.offered] == [(c, "offered")]
    assert page.offered[0].offerExpiresAt is not None
    assert [(r.userId, r.waitlistPosition) for r in page.waitlisted] == [(d, 1)]
    assert (page.registeredCount, page.offeredCount, page.waitlistCount) == (1, 1, 1)


def test_each_offer_made_gets_one_schedule_for_its_expiry(ddb, monkeypatch):
    # Given the expiry target and role the template gives the scheduling function
    monkeypatch.setenv("OFFER_EXPIRY_TARGET_ARN", "arn:aws:lambda:us-east-1:123456789012:function:expire")
    monkeypatch.setenv("OFFER_SCHEDULER_ROLE_ARN", "arn:aws:iam::123456789012:role/expiry")
    clear_caches()
    event_id, offered, _ = an_outstanding_offer(waiting=0)
    item = ddb.get_item(
        TableName="RegistrationsTable", Key={"eventId": {"S": event_id}, "userId": {"S": offered}}
    )

    # When the offer's stream record is handled, twice (delivered again)
    assert offers.schedule_expiries([item["Item"]]) == 1
    assert offers.schedule_expiries([item["Item"]]) == 0

    # Then one one-time schedule invokes the expiry with the offer at its expiry time, in UTC
    offer = assert_invariants(ddb, event_id).row(offered)
    schedule = boto3.client("scheduler", region_name="us-east-1").get_schedule(
        Name=f"offer-{offer['offerId']}", GroupName="default"
    )
    assert schedule["ScheduleExpression"] == f"at({offer['offerExpiresAt'][:19]})"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["ActionAfterCompletion"] == "DELETE"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert json.loads(schedule["Target"]["Input"]) == {
        "eventId": event_id,
        "userId": offered,
        "offerId": offer["offerId"],
    }


@pytest.fixture
def crowded_offer_event(ddb, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str]]:
    """Capacity 1 in offer mode, one attendee and 100 people in line; retries do not sleep."""
    monkeypatch.setattr(retry.time, "sleep", lambda _: None)
    event_id = an_offer_event(capacity=1)
    people = some_users(101)
    a_crowd_registered(event_id, people)
    return event_id, people


def test_a_raise_larger_than_one_write_offers_every_spot_in_queue_order(ddb, crowded_offer_event):
    event_id, people = crowded_offer_event

    applied = update_event(event_id, {"capacity": 96})

    assert not applied.promotions_pending
    assert list(applied.offered) == people[1:96]  # across two writes, in queue order
    places = assert_invariants(ddb, event_id)
    assert (places.registered, len(places.offered), places.waitlisted) == (people[:1], 95, people[96:])


def test_a_raise_left_to_the_writer_is_finished_with_offers(ddb, crowded_offer_event, monkeypatch):
    # Given DynamoDB refuses every write after the first (the capacity and 90 offers)
    event_id, people = crowded_offer_event
    dying_at(monkeypatch, events_use_cases, 1, TransactionCancelled(["ConditionalCheckFailed"]))
    applied = update_event(event_id, {"capacity": 96})
    assert applied.promotions_pending
    monkeypatch.undo()

    # When the queue's writer (woken by the note) carries on
    admission.keep_admitting(event_id, seconds=30)

    # Then it offered the rest of the spots, in queue order: nobody was registered past the offers
    places = assert_invariants(ddb, event_id)
    assert places.registered == people[:1]
    assert sorted(places.offered, key=people.index) == people[1:96]
    assert places.waitlisted == people[96:]
