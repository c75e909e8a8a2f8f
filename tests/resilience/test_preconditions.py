"""If-Match on PUT /events/{id} and PUT /events/{id}/waitlist: no edit silently overwrites another."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
import requests

from event_core import errors, events
from event_core.preconditions import check_if_match, parse_if_match
from tests.resilience.conftest import call, new_event, new_users
from tests.support.bodies import event_body
from tests.support.invariants import read_event_item
from tests.support.parallel import run_concurrently

ETAG = '"evt-1.3"'


@pytest.mark.parametrize(
    "header",
    [
        '"evt-1.3"',
        'W/"evt-1.3"',
        "*",
        ' "other.1" , "evt-1.3" ',
        'W/"x", W/"evt-1.3"',
        '"a,b"\t ,\t"evt-1.3"',  # a comma inside a tag, tabs around the separator (found by fuzzing)
    ],
)
def test_matching_if_match_values(header):
    check_if_match(header, ETAG)


@pytest.mark.parametrize("header", ['"evt-1.2"', '"evt-1.30"', '""', 'W/"evt-1.4"', '"other.3"'])
def test_non_matching_if_match_values_fail_the_precondition(header):
    with pytest.raises(errors.PreconditionFailed):
        check_if_match(header, ETAG)


@pytest.mark.parametrize(
    "header", ["", "evt-1.3", '"unterminated', '"a" "b"', "**", '"a",', 'w/"a"', '"é"', '"evt-1.3 "']
)
def test_malformed_if_match_is_a_bad_request(header):
    with pytest.raises(errors.InvalidPrecondition):
        parse_if_match(header)


def etag_of(event_id: str) -> str:
    answer = call("get_event", eventId=event_id)
    assert answer.status == 200
    return str(answer.header("ETag"))


def test_put_with_the_current_etag_applies_and_returns_the_new_one(ddb, env):
    event_id = new_event()
    etag = etag_of(event_id)

    answer = call("update_event", eventId=event_id, body={"title": "New title"}, headers={"If-Match": etag})

    assert answer.status == 200
    assert answer.body["title"] == "New title"
    assert answer.header("ETag") not in (None, etag)
    assert answer.header("ETag") == etag_of(event_id)


def test_put_with_a_stale_etag_is_412_and_writes_nothing(ddb, env):
    # Given two tabs read the event, and the first one saved an edit
    event_id = new_event()
    stale = etag_of(event_id)
    assert (
        call("update_event", eventId=event_id, body={"title": "Tab one"}, headers={"If-Match": stale}).status
        == 200
    )
    before = read_event_item(ddb, event_id)

    # When the second tab saves with the ETag it read
    answer = call("update_event", eventId=event_id, body={"capacity": 50}, headers={"If-Match": stale})

    # Then it is refused and nothing changed
    assert (answer.status, answer.body) == (412, {"detail": "Precondition Failed"})
    assert answer.header("Access-Control-Allow-Origin") == "*"
    assert read_event_item(ddb, event_id) == before


def test_waitlist_put_honours_if_match_too(ddb, env):
    event_id = new_event()
    stale = etag_of(event_id)
    assert call("update_event", eventId=event_id, body={"location": "Room 2"}).status == 200

    refused = call(
        "set_waitlist", eventId=event_id, body={"waitlistEnabled": True}, headers={"If-Match": stale}
    )
    current = etag_of(event_id)
    applied = call(
        "set_waitlist", eventId=event_id, body={"waitlistEnabled": True}, headers={"If-Match": current}
    )

    assert refused.status == 412
    assert applied.status == 200
    assert applied.body["waitlistEnabled"] is True


def test_registrations_do_not_move_the_etag(ddb, env):
    # Given an organizer read the event, then people registered and left
    event_id = new_event(capacity=3)
    etag = etag_of(event_id)
    users = new_users(2)
    for user_id in users:
        assert call("register", eventId=event_id, body={"userId": user_id}).status == 201
    assert call("unregister", eventId=event_id, userId=users[0]).status == 200

    # When the organizer saves with the ETag read before
    answer = call("update_event", eventId=event_id, body={"capacity": 4}, headers={"If-Match": etag})

    # Then the edit applies: registrations are not organizer edits
    assert answer.status == 200
    assert (answer.body["capacity"], answer.body["registeredCount"]) == (4, 1)


@pytest.mark.parametrize(("header", "status"), [("*", 200), ('W/"{etag}"', 200), ('"nope", "{etag}"', 200)])
def test_star_weak_and_list_forms(ddb, env, header, status):
    event_id = new_event()
    etag = etag_of(event_id).strip('"')
    answer = call(
        "update_event", eventId=event_id, body={"title": "x"}, headers={"If-Match": header.format(etag=etag)}
    )
    assert answer.status == status


def test_malformed_if_match_is_422_and_missing_event_is_404(ddb, env):
    event_id = new_event()
    malformed = call("update_event", eventId=event_id, body={"title": "x"}, headers={"If-Match": "no-quotes"})
    missing = call("update_event", eventId="rs-missing-event", body={"title": "x"}, headers={"If-Match": "*"})
    assert malformed.status == 422
    assert malformed.body["detail"][0]["loc"] == ["header", "if-match"]
    assert (missing.status, missing.body) == (404, {"detail": "Event not found"})


def test_the_check_and_the_write_are_one_atomic_step(ddb, env, monkeypatch):
    # Given an edit that lands between the If-Match check's read and the conditional write
    event_id = new_event()
    etag = etag_of(event_id)
    real_transact = events.transact
    raced: list[bool] = []

    def transact_after_a_rival_edit(actions: Any) -> None:
        if not raced:
            raced.append(True)
            events.update_event(event_id, {"organizer": "Rival tab"})
        real_transact(actions)

    monkeypatch.setattr(events, "transact", transact_after_a_rival_edit)

    # When the checked edit writes
    answer = call(
        "update_event", eventId=event_id, body={"organizer": "Checked tab"}, headers={"If-Match": etag}
    )

    # Then its write failed its revision condition, the re-read failed the check: 412, rival kept
    assert answer.status == 412
    assert (read_event_item(ddb, event_id) or {}).get("organizer") == "Rival tab"


def test_concurrent_tabs_over_http_exactly_one_wins(api_url):
    # Given an event read by eight tabs
    body = event_body()
    assert requests.post(f"{api_url}/events", json=body, timeout=60).status_code == 201
    url = f"{api_url}/events/{body['eventId']}"
    etag = requests.get(url, timeout=60).headers["ETag"]

    # When they all save at once with that ETag
    def save(tab: int) -> requests.Response:
        return requests.put(url, json={"title": f"Tab {tab}"}, headers={"If-Match": etag}, timeout=120)

    answers = run_concurrently([partial(save, tab) for tab in range(8)], workers=8)

    # Then exactly one applies; the others are told their copy is stale, and the winner's edit stands
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 7, statuses
    winner = next(a for a in answers if a.status_code == 200)
    assert requests.get(url, timeout=60).json()["title"] == winner.json()["title"]
