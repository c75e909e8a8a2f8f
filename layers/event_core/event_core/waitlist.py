"""Waitlist rules: who gets a freed spot, and where each waiting person stands.

Every waiting person holds an arrival ticket (waitlistSeq, handed out by the event item in the
same transaction that adds them). The head of the queue is the lowest ticket. Positions are
computed from the tickets (1 + people ahead), never stored, so leaving costs one delete.
"""

from __future__ import annotations

from typing import Any

from event_core.models.events import PROMOTING_STATUSES
from event_core.store import registrations
from event_core.store.registrations import StoredRegistration
from event_core.store.retry import StateChanged

# TransactWriteItems takes 100 actions: the event update, maybe a delete, and the promotions.
MAX_PROMOTIONS_PER_WRITE = 90


def promotions_due(*, capacity: int, registered: int, waiting: int, status: str) -> int:
    """How many people to move from the waitlist into free spots, in one write."""
    if status not in PROMOTING_STATUSES:
        return 0
    return max(0, min(capacity - registered, waiting, MAX_PROMOTIONS_PER_WRITE))


def promotion_actions(event_id: str, due: int, promoted_at: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The first `due` people in line and the transaction actions that promote them.

    Raises StateChanged if fewer people wait than the event's counter says (a concurrent
    change landed between the reads): the caller re-reads and tries again.
    """
    heads = registrations.waitlist_head(event_id, due)
    if len(heads) < due:
        raise StateChanged()
    return [h.user_id for h in heads], [registrations.promote_action(h, promoted_at) for h in heads]


def position(registration: StoredRegistration) -> int | None:
    """1-based place in line of a waiting registration; None for a confirmed one."""
    if registration.waitlist_seq is None:
        return None
    return registrations.count_ahead(registration.event_id, registration.waitlist_seq) + 1
