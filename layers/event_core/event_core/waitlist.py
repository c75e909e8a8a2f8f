"""Waitlist rules: who gets a freed spot, and where each waiting person stands.

Every waiting person holds an arrival ticket (waitlistSeq, handed out by the event item in the
same transaction that adds them). The head of the queue is the lowest ticket. Positions are
computed from the tickets (1 + people ahead), never stored, so leaving costs one delete.

A spot is free when neither a registered person nor an offer holds it. In the event's `auto`
waitlist mode a free spot goes to the head of the queue at once (promoted: registered); in
`offer` mode it is offered to them (status offered, until offerExpiresAt): the offer holds the
spot until it is accepted, declined or expires, and leaves the ticket queue at once, so the
positions of those still waiting stay 1..n.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from event_core.clock import iso
from event_core.ids import new_id
from event_core.models.events import OFFER_MODE, PROMOTING_STATUSES, Event
from event_core.store import events, registrations
from event_core.store.events import REGISTERED_COUNT, ClosedOffer
from event_core.store.registrations import StoredRegistration
from event_core.store.retry import StateChanged

# TransactWriteItems takes 100 actions: the event update, maybe a delete, and the promotions.
MAX_PROMOTIONS_PER_WRITE = 90


def promotions_due(*, capacity: int, registered: int, waiting: int, status: str, offered: int = 0) -> int:
    """How many people to move from the waitlist into free spots (promoted or offered one), in
    one write: `offered` spots are held by offers, as `registered` ones by people."""
    if status not in PROMOTING_STATUSES:
        return 0
    return max(0, min(capacity - registered - offered, waiting, MAX_PROMOTIONS_PER_WRITE))


def due_for(event: Event, *, freed: int = 0) -> int:
    """How many of the waitlist's head the free spots of `event` call for, after `freed` more
    spots (registered or offered) are freed."""
    return promotions_due(
        capacity=event.capacity,
        registered=event.registeredCount - freed,
        offered=event.offeredCount,
        waiting=event.waitlistCount,
        status=event.status,
    )


@dataclass(frozen=True, slots=True)
class Filling:
    """The waitlist's head moved into free spots: promoted, or (offer mode) offered them."""

    user_ids: list[str] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    offers: bool = False

    @property
    def promoted(self) -> int:
        return 0 if self.offers else len(self.user_ids)

    @property
    def offered(self) -> int:
        return len(self.user_ids) if self.offers else 0

    @property
    def promoted_ids(self) -> list[str]:
        return [] if self.offers else self.user_ids

    @property
    def offered_ids(self) -> list[str]:
        return self.user_ids if self.offers else []


def offer_expiry(now: str, hold_seconds: int) -> str:
    """When an offer made at `now` lapses: a server timestamp on a whole second (what a schedule's
    at() names), rounded up so the hold is never shorter than `hold_seconds`."""
    lapses = datetime.fromisoformat(now).astimezone(UTC) + timedelta(seconds=hold_seconds)
    if lapses.microsecond:
        lapses = lapses.replace(microsecond=0) + timedelta(seconds=1)
    return iso(lapses)


def heads_of(heads: list[StoredRegistration], now: str, *, mode: str, hold_seconds: int) -> Filling:
    """The actions that move these waiting people into spots as the waitlist `mode` says."""
    if mode != OFFER_MODE:
        return Filling([h.user_id for h in heads], [registrations.promote_action(h, now) for h in heads])
    expires_at = offer_expiry(now, hold_seconds)
    actions = [registrations.offer_action(h, now, new_id(), expires_at) for h in heads]
    return Filling([h.user_id for h in heads], actions, offers=True)


def fill(event_id: str, due: int, now: str, *, mode: str, hold_seconds: int) -> Filling:
    """The first `due` people in line and the transaction actions that promote them, or in
    offer mode offer them the spots.

    Raises StateChanged if fewer people wait than the event's counter says (a concurrent
    change landed between the reads): the caller re-reads and tries again.
    """
    heads = registrations.waitlist_head(event_id, due)
    if len(heads) < due:
        raise StateChanged()
    return heads_of(heads, now, mode=mode, hold_seconds=hold_seconds)


def fill_for(event: Event, due: int, now: str) -> Filling:
    """`fill` in the event's own waitlist mode and hold."""
    return fill(event.eventId, due, now, mode=event.waitlistMode, hold_seconds=event.offerHoldSeconds)


def free_spot(
    event: Event, now: str, *, counter: str = REGISTERED_COUNT, closed: ClosedOffer | None = None
) -> tuple[list[dict[str, Any]], Filling]:
    """The event's writes that free one spot (held by `counter`: a registration, or an offer that
    ended, `closed`) and pass the free spots to the waitlist's head, in the event's mode; with
    the head's actions. Conditioned on what `event` says, as read."""
    due = due_for(event, freed=1)
    if not due:  # nobody waits, or the event does not promote now
        return [events.release_spot_action(event.eventId, counter, closed)], Filling()
    filling = fill_for(event, due, now)
    update = events.release_and_fill_action(
        event, freed=counter, promoted=filling.promoted, offered=filling.offered, closed=closed
    )
    return [update, *filling.actions], filling


def position(registration: StoredRegistration) -> int | None:
    """1-based place in line of a waiting registration; None for a confirmed or offered one."""
    if registration.waitlist_seq is None:
        return None
    return registrations.count_ahead(registration.event_id, registration.waitlist_seq) + 1
