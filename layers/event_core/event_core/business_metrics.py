"""Business metrics: what happened to people, counted as CloudWatch metrics (Powertools EMF).

The use cases call these at the moment an outcome is certain (after the write succeeded, or
when the refusal is final), so a retried attempt is never counted twice. The metrics go out
with the invocation's other metrics when the handler returns (`metrics.log_metrics`), in the
namespace `POWERTOOLS_METRICS_NAMESPACE`, with the `service` dimension.

| metric | counts |
|---|---|
| `Registrations` | people who got a spot when registering |
| `WaitlistJoins` | people who joined a waitlist |
| `Promotions` | people moved from a waitlist into a spot (on unregister or an event update) |
| `FullRejections` | registrations refused with 409 "Event is full" |
| `OffersMade` | offer mode: spots offered to the waitlist's head |
| `OffersAccepted`, `OffersDeclined`, `OffersExpired` | offer mode: how the offers ended |
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from event_core.observability import metrics

REGISTRATIONS = "Registrations"
WAITLIST_JOINS = "WaitlistJoins"
PROMOTIONS = "Promotions"
FULL_REJECTIONS = "FullRejections"
OFFERS_MADE = "OffersMade"
OFFERS_ACCEPTED = "OffersAccepted"
OFFERS_DECLINED = "OffersDeclined"
OFFERS_EXPIRED = "OffersExpired"


def _count(name: str, value: int = 1) -> None:
    if value > 0:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def placed(waitlisted: bool) -> None:
    """Someone registered: a spot, or a place in the waitlist."""
    _count(WAITLIST_JOINS if waitlisted else REGISTRATIONS)


def promoted(count: int) -> None:
    _count(PROMOTIONS, count)


def filled(promotions: int, offers: int) -> None:
    """The waitlist's head moved into free spots: promoted, or offered them."""
    _count(PROMOTIONS, promotions)
    _count(OFFERS_MADE, offers)


def offer_ended(outcome: str) -> None:
    """An offer accepted, declined or expired (store.events' ACCEPTED, DECLINED, EXPIRED)."""
    _count({"accepted": OFFERS_ACCEPTED, "declined": OFFERS_DECLINED, "expired": OFFERS_EXPIRED}[outcome])


def rejected_full() -> None:
    _count(FULL_REJECTIONS)
