"""A stored registration as the API shows it: a spot, an offer of one, or a place in line."""

from __future__ import annotations

from event_core.models.registrations import Registration
from event_core.store.registrations import StoredRegistration


def public(row: StoredRegistration, waitlist_position: int | None = None) -> Registration:
    return Registration(
        eventId=row.event_id,
        userId=row.user_id,
        status=row.status,
        registeredAt=row.registered_at,
        waitlistPosition=waitlist_position,
        offerExpiresAt=row.offer_expires_at,
        checkedInAt=row.checked_in_at,
    )
