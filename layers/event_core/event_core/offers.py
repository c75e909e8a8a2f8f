"""Offers (an event's `offer` waitlist mode): a freed spot is held for the waitlist's head, who
accepts it (registered) or declines it (leaves) before it expires; an offer that expires, or is
declined, passes the spot on to the next in line, in the same write.

Each ending is one transaction conditioned on the offer as read (its id) and on its expiry time
against the server's clock: an accept lands only before `offerExpiresAt`, an expiry only at or
after it, so of an accept and an expiry racing exactly one wins, and an expiry run twice (a
scheduler's retry) finds no offer the second time. Each offer's expiry is an EventBridge
Scheduler one-time schedule, made from the registrations stream when an offer appears
(`schedule_expiries`): the offer's transaction cannot include it, the stream's retries make it
durable. Like leaving, these writes go through the
event's admission writer (`admission.as_writer`) so as not to conflict with its batches.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from event_core import admission, business_metrics
from event_core.clock import now_iso
from event_core.errors import EventNotFound, EventNotOpen, NoOffer, NotRegistered, OfferExpired, OfferNotDue
from event_core.ids import is_valid_id
from event_core.models.events import PROMOTING_STATUSES
from event_core.models.registrations import Registration, Unregistration
from event_core.places import public
from event_core.store import events, registrations, schedules, snapshot
from event_core.store.events import DECLINED, EXPIRED, OFFERED_COUNT, ClosedOffer, StoredEvent
from event_core.store.registrations import OFFERED, REGISTERED, StoredRegistration
from event_core.store.retry import StateChanged, with_retries
from event_core.store.transactions import TransactionCancelled, transact
from event_core.waitlist import free_spot

T = TypeVar("T")

WRITER_WAIT_SECONDS = 1.0  # how long an answer waits for the writer's lease before going without it
EARLY_WAIT_SECONDS = 30.0  # an expiry this early (a scheduler's at() is per second) waits; earlier fails
ACCEPTED = "accepted"


def accept_offer(event_id: str, user_id: str) -> Registration:
    """Take the spot offered: registered. Refused once the offer's time is over (OfferExpired),
    even if its expiry has not run yet, and on a cancelled or completed event (EventNotOpen).
    Accepting again answers the registration."""
    return _as_writer(event_id, user_id, lambda: _accept_once(event_id, user_id))


def _accept_once(event_id: str, user_id: str) -> Registration:
    stored, offer = _read(event_id, user_id)
    if offer.status == REGISTERED:
        return public(offer)  # accepted already (a retry)
    now = now_iso()
    _check_open(offer, now)
    if stored.event.status not in PROMOTING_STATUSES:
        raise EventNotOpen()
    try:
        transact([registrations.accept_action(offer, now), events.accept_offer_action(event_id)])
    except TransactionCancelled:
        raise StateChanged() from None  # read again: expired, declined, or the event changed
    business_metrics.offer_ended(ACCEPTED)
    return public(StoredRegistration(event_id, user_id, REGISTERED, offer.registered_at))


def decline_offer(event_id: str, user_id: str) -> Unregistration:
    """Give the offered spot up (the person leaves the event); it is offered to the next in line.
    Refused once the offer's time is over: its expiry passes the spot on."""

    def once() -> Unregistration:
        stored, offer = _read(event_id, user_id)
        now = now_iso()
        _check_open(offer, now)
        return end_offer(stored, offer, now, lapsed=False)

    return _as_writer(event_id, user_id, once)


def expire_offer(event_id: str, user_id: str, offer_id: str) -> bool:
    """End the offer `offer_id` if it is still there at its expiry time, passing the spot on.
    Returns whether it did; False (nothing written) if the offer was answered, already expired
    or went with its event. Waits if run a little early; OfferNotDue if far too early."""
    if not (is_valid_id(event_id) and is_valid_id(user_id)):
        return False
    offer = registrations.get(event_id, user_id)
    if offer is None or offer.status != OFFERED or offer.offer_id != offer_id:
        return False
    early = _seconds_until(offer.offer_expires_at or "")
    if early > EARLY_WAIT_SECONDS:
        raise OfferNotDue()
    time.sleep(max(early, 0.0))
    return admission.as_writer(
        event_id,
        lambda: with_retries(lambda: _expire_once(event_id, user_id, offer_id)),
        wait_seconds=WRITER_WAIT_SECONDS,
    )


def _expire_once(event_id: str, user_id: str, offer_id: str) -> bool:
    seen = snapshot.read(event_id, user_id, with_user=False)
    offer = seen.registration
    if seen.event is None or offer is None or offer.status != OFFERED or offer.offer_id != offer_id:
        return False
    now = now_iso()
    if now < (offer.offer_expires_at or ""):
        raise StateChanged()  # this clock is behind the one that made the offer: a moment more
    end_offer(seen.event, offer, now, lapsed=True)
    return True


def schedule_expiries(images: list[dict[str, Any]]) -> int:
    """Schedule the expiry of each offer made (registration items as stored, just offered): a
    one-time schedule per offer, made again harmlessly. Returns how many were new."""
    made = 0
    for offer in map(registrations.from_item, images):
        if offer.status == OFFERED and offer.offer_id and offer.offer_expires_at:
            made += schedules.schedule_offer_expiry(
                offer.event_id, offer.user_id, offer.offer_id, offer.offer_expires_at
            )
    return made


def end_offer(stored: StoredEvent, offer: StoredRegistration, now: str, *, lapsed: bool) -> Unregistration:
    """Remove the offer (declined, or `lapsed`: expired) and pass its spot on, in one transaction
    conditioned on the offer and the event as read; StateChanged if either moved."""
    outcome = EXPIRED if lapsed else DECLINED
    closed = ClosedOffer(offer.offer_id or "", offer.user_id, offer.registered_at, outcome, now)
    event_actions, filling = free_spot(stored.event, now, counter=OFFERED_COUNT, closed=closed)
    try:
        transact([registrations.close_offer_action(offer, now, lapsed=lapsed), *event_actions])
    except TransactionCancelled:
        raise StateChanged() from None
    business_metrics.offer_ended(outcome)
    business_metrics.filled(filling.promoted, filling.offered)
    return Unregistration(
        message="Offer declined" if not lapsed else "Offer expired",
        eventId=stored.event.eventId,
        userId=offer.user_id,
        promotedUserId=next(iter(filling.promoted_ids), None),
        offeredUserId=next(iter(filling.offered_ids), None),
    )


def _as_writer(event_id: str, user_id: str, once: Callable[[], T]) -> T:
    if not (is_valid_id(event_id) and is_valid_id(user_id)):
        raise NotRegistered()
    return admission.as_writer(event_id, lambda: with_retries(once), wait_seconds=WRITER_WAIT_SECONDS)


def _read(event_id: str, user_id: str) -> tuple[StoredEvent, StoredRegistration]:
    seen = snapshot.read(event_id, user_id, with_user=False)
    if seen.event is None:
        raise EventNotFound()
    if seen.registration is None:
        raise NotRegistered()
    return seen.event, seen.registration


def _check_open(offer: StoredRegistration, now: str) -> None:
    """The person holds an offer whose time is not over at `now`."""
    if offer.status != OFFERED:
        raise NoOffer()
    if now >= (offer.offer_expires_at or ""):
        raise OfferExpired()


def _seconds_until(instant: str) -> float:
    return (datetime.fromisoformat(instant) - datetime.fromisoformat(now_iso())).total_seconds()
