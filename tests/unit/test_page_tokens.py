"""Page tokens are opaque and signed: edited, forged or borrowed tokens are refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable

import pytest

from event_core.attendance import event_registrations, user_registrations
from event_core.errors import InvalidPageToken
from event_core.event_listing import list_events
from event_core.pagination import decode_token, encode_token
from event_core.settings import get_settings
from tests.unit.builders import a_user, an_event, register_all, some_users


def flip(token: str, index: int) -> str:
    """The token with one character replaced by another from the base64url alphabet."""
    replacement = "A" if token[index] != "A" else "B"
    return token[:index] + replacement + token[index + 1 :]


def forged(scope: str, payload: object, secret: bytes = b"change-me-in-production") -> str:
    """A token built the way the server builds them, with a chosen secret and payload."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    signature = hmac.new(secret, scope.encode() + b"\x00" + body, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(signature + body).decode().rstrip("=")


def test_round_trip_keeps_the_state():
    state = {"phase": "waitlisted", "key": {"eventId": {"S": "e"}}, "offset": 3}
    assert decode_token("scope-a", encode_token("scope-a", state)) == state
    assert decode_token("scope-a", None) is None


@pytest.mark.parametrize("index", [0, 5, 21, 22, 30])
def test_any_edited_character_invalidates_the_token(index):
    token = encode_token("events:*", {"key": {"eventId": {"S": "evt-1"}}})
    with pytest.raises(InvalidPageToken):
        decode_token("events:*", flip(token, index))


@pytest.mark.parametrize(
    "token",
    ["", "abc", "!!!!", "é", "a" * 5000, base64.urlsafe_b64encode(b"x" * 40).decode()],
    ids=["empty", "short", "not-base64", "non-ascii", "too-long", "unsigned"],
)
def test_garbage_tokens_are_invalid(token):
    with pytest.raises(InvalidPageToken):
        decode_token("events:*", token)


def test_token_of_another_scope_is_invalid():
    token = encode_token("events:active", {"key": None})
    with pytest.raises(InvalidPageToken):
        decode_token("events:cancelled", token)


def test_token_signed_with_another_secret_is_invalid():
    with pytest.raises(InvalidPageToken):
        decode_token("events:*", forged("events:*", {"key": None}, secret=b"not-the-server-secret"))


def test_signed_payload_that_is_not_an_object_is_invalid():
    with pytest.raises(InvalidPageToken):
        decode_token("events:*", forged("events:*", ["key"]))


def test_changing_the_secret_invalidates_outstanding_tokens(monkeypatch):
    token = encode_token("events:*", {"key": None})
    monkeypatch.setenv("PAGE_TOKEN_SECRET", "rotated")
    get_settings.cache_clear()
    with pytest.raises(InvalidPageToken):
        decode_token("events:*", token)


def second_page_token(fetch: Callable[[str | None], object]) -> str:
    token = getattr(fetch(None), "nextToken", None)
    assert token is not None
    return token


def test_event_list_tokens_are_bound_to_their_status_filter(ddb):
    # Given enough events to page, and a token from the active listing
    for day in range(1, 4):
        an_event(status="active", date=f"2027-02-0{day}")
    token = second_page_token(lambda t: list_events(status="active", limit=1, next_token=t))

    # When the token is used for another filter, then it is refused
    with pytest.raises(InvalidPageToken):
        list_events(status=None, limit=1, next_token=token)
    with pytest.raises(InvalidPageToken):
        list_events(status="cancelled", limit=1, next_token=token)
    # And it still works where it came from
    assert list_events(status="active", limit=1, next_token=token).count == 1


def test_event_registration_tokens_are_bound_to_their_event(ddb):
    # Given two events with attendees, and a token from the first one's list
    first, second = an_event(capacity=5), an_event(capacity=5)
    people = some_users(3)
    register_all(first, people)
    register_all(second, people)
    token = second_page_token(lambda t: event_registrations(first, limit=1, next_token=t))

    # When it is used on the second event's list, then it is refused
    with pytest.raises(InvalidPageToken):
        event_registrations(second, limit=1, next_token=token)
    # And tampering with it is refused too
    with pytest.raises(InvalidPageToken):
        event_registrations(first, limit=1, next_token=flip(token, 3))


def test_user_registration_tokens_are_bound_to_their_user(ddb):
    # Given two users registered at the same two events, and a token from the first user's list
    alice, bob = a_user(), a_user()
    for _ in range(2):
        register_all(an_event(capacity=5), [alice, bob])
    token = second_page_token(lambda t: user_registrations(alice, limit=1, next_token=t))

    # When the token is used for the other user, then it is refused
    with pytest.raises(InvalidPageToken):
        user_registrations(bob, limit=1, next_token=token)
    # And a token from an event list is no user-list token
    event_token = encode_token("events:*", {"key": None})
    with pytest.raises(InvalidPageToken):
        user_registrations(alice, limit=1, next_token=event_token)


@pytest.mark.parametrize(
    ("scope", "status"),
    [("events:active", "active"), ("events:*", None)],
)
def test_tokens_of_the_listing_by_date_text_are_refused(ddb, scope, status):
    # Given a token the listing gave before it ordered by instant (a status index key, or a scan's)
    old_key = {"eventId": {"S": "evt-1"}, "status": {"S": "active"}, "date": {"S": "2027-01-01"}}
    token = forged(scope, {"key": old_key})

    # Then it is refused (400), never read as a position
    with pytest.raises(InvalidPageToken):
        list_events(status=status, limit=1, next_token=token)


@pytest.mark.parametrize(
    "state",
    [{}, {"after": {}}, {"after": []}, {"after": {"archived": None}}, {"after": {"active": "evt-1"}}],
)
def test_signed_event_list_positions_of_another_shape_are_refused(ddb, state):
    with pytest.raises(InvalidPageToken):
        list_events(status=None, limit=1, next_token=forged("events-by-date:*", state))


def test_a_status_listing_token_names_only_its_status(ddb):
    token = forged("events-by-date:active", {"after": {"active": None, "cancelled": None}})
    with pytest.raises(InvalidPageToken):
        list_events(status="active", limit=1, next_token=token)
