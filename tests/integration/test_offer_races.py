"""Offers under real concurrency (threads, in process, against DynamoDB Local): an accept racing
the offer's expiry settles exactly once, a duplicated expiry expires once, and leaves, declines,
accepts, a capacity raise and newcomers all at once keep registered + offered <= capacity,
the counts, and the FIFO order. The invariants are checked from the tables after every scenario."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest

from event_core import errors, offers
from event_core.clock import iso
from event_core.events import update_event
from event_core.offers import accept_offer, decline_offer, expire_offer
from event_core.registration import register, unregister
from tests.support.builders import an_event, register_all, some_users
from tests.support.invariants import assert_invariants
from tests.support.parallel import run_concurrently

pytestmark = pytest.mark.integration

HOLD = 10  # the shortest hold: the races below run at its end


def outcome(call: Callable[[], Any]) -> Any:
    """What a call answered, or the domain error it refused with."""
    try:
        return call()
    except errors.DomainError as error:
        return error


def an_offer(capacity: int = 1, waiting: int = 1) -> tuple[str, str, list[str]]:
    event_id = an_event(capacity=capacity, waitlist=True, waitlistMode="offer", offerHoldSeconds=HOLD)
    holder, offered, *behind = some_users(2 + waiting)
    register_all(event_id, [holder, offered, *behind])
    assert unregister(event_id, holder).offeredUserId == offered
    return event_id, offered, behind


def test_an_accept_racing_the_expiry_lands_or_expires_exactly_once(local_env, ddb_client, monkeypatch):
    # Given offers whose hold ends in a moment (the clock moved to just before their expiry)
    races = [an_offer() for _ in range(6)]
    monkeypatch.setattr(offers, "now_iso", lambda: iso(datetime.now(UTC) + timedelta(seconds=HOLD - 0.2)))

    # When each person accepts (three times over) while its expiry runs (three times over: retries)
    calls: list[Callable[[], Any]] = []
    for event_id, offered, _ in races:
        offer_id = assert_invariants(ddb_client, event_id).row(offered)["offerId"]
        calls += [partial(outcome, partial(accept_offer, event_id, offered)) for _ in range(3)]
        calls += [partial(outcome, partial(expire_offer, event_id, offered, offer_id)) for _ in range(3)]
    results = run_concurrently(calls)

    # Then each offer was taken or expired, never both, and an expiry ran at most once
    for index, (event_id, offered, (waiting,)) in enumerate(races):
        accepts, expiries = results[index * 6 : index * 6 + 3], results[index * 6 + 3 : index * 6 + 6]
        assert not [r for r in accepts + expiries if isinstance(r, errors.Busy)]
        expired = expiries.count(True)
        taken = [r for r in accepts if not isinstance(r, errors.DomainError)]
        assert expired <= 1
        places = assert_invariants(ddb_client, event_id)
        if expired:
            assert not taken
            assert all(isinstance(r, errors.OfferExpired | errors.NotRegistered) for r in accepts)
            assert (places.registered, places.offered) == ([], [waiting])
        else:
            assert taken
            assert all(r.status == "registered" for r in taken)
            assert (places.registered, places.offered, places.waitlisted) == ([offered], [], [waiting])


def test_leaves_declines_a_capacity_raise_and_newcomers_at_once_keep_the_invariants(local_env, ddb_client):
    # Given 10 registered and 20 waiting at an offer-mode event
    event_id = an_event(capacity=10, waitlist=True, waitlistMode="offer", offerHoldSeconds=3600)
    people = some_users(30)
    register_all(event_id, people)
    newcomers = some_users(5)

    # When 5 leave, the capacity rises to 14 and 5 newcomers register, all at once
    calls: list[Callable[[], Any]] = [partial(outcome, partial(unregister, event_id, u)) for u in people[:5]]
    calls.append(partial(outcome, partial(update_event, event_id, {"capacity": 14})))
    calls += [partial(outcome, partial(register, event_id, u)) for u in newcomers]
    results = run_concurrently(calls)

    # Then the 9 freed spots are offered to the first 9 in line, and the newcomers wait behind
    assert not [r for r in results if isinstance(r, errors.DomainError)]
    places = assert_invariants(ddb_client, event_id)
    assert places.registered == people[5:10]
    assert sorted(places.offered) == sorted(people[10:19])
    assert places.waitlisted[:11] == people[19:]
    assert sorted(places.waitlisted[11:]) == sorted(newcomers)

    # When the first three offered decline, three accept and three leave, all at once
    offered = sorted(places.offered, key=people.index)
    calls = [partial(outcome, partial(decline_offer, event_id, u)) for u in offered[:3]]
    calls += [partial(outcome, partial(accept_offer, event_id, u)) for u in offered[3:6]]
    calls += [partial(outcome, partial(unregister, event_id, u)) for u in offered[6:9]]
    results = run_concurrently(calls)

    # Then the six spots given up went to the next six in line, in FIFO order
    assert not [r for r in results if isinstance(r, errors.DomainError)]
    places = assert_invariants(ddb_client, event_id)
    assert sorted(places.registered) == sorted(people[5:10] + offered[3:6])
    assert sorted(places.offered) == sorted(people[19:25])
    assert places.waitlisted[:5] == people[25:]
    assert sorted(places.waitlisted[5:]) == sorted(newcomers)
