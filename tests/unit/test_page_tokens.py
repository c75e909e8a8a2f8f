"""Page tokens are opaque and signed: edited, forged or borrowed tokens are refused."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from event_core.attendance import event_registrations, user_registrations
from event_core.errors import InvalidPageToken
from event_core.events import list_events
from event_core.models.page_cursors import (
    EventRegistrationsCursor,
    EventsCursor,
    WaitlistKey,
    WaitlistPhase,
)
from event_core.pagination import decode_token, encode_token
from event_core.settings import get_settings
from tests.support.page_tokens import forged, signed
from tests.unit.builders import a_user, an_event, register_all, some_users

EVENT_1 = EventsCursor(eventId="evt-1")


def flip(token: str, index: int) -> str:
    """The token with one character replaced by another from the base64url alphabet."""
    replacement = "A" if token[index] != "A" else "B"
    return token[:index] + replacement + token[index + 1 :]


def test_round_trip_keeps_the_cursor():
    cursor = EventRegistrationsCursor(
        WaitlistPhase(phase="waitlisted", after=WaitlistKey(userId="u-1", waitlistSeq=3))
    )
    assert decode_token("scope-a", encode_token("scope-a", cursor), EventRegistrationsCursor) == cursor
    assert decode_token("scope-a", None, EventRegistrationsCursor) is None


@pytest.mark.parametrize("index", [0, 5, 21, 22, 30])
def test_any_edited_character_invalidates_the_token(index):
    token = encode_token("events:*", EVENT_1)
    with pytest.raises(InvalidPageToken):
        decode_token("events:*", flip(token, index), EventsCursor)


@pytest.mark.parametrize(
    "token",
    ["", "abc", "!!!!", "é", "a" * 5000, base64.urlsafe_b64encode(b"x" * 40).decode()],
    ids=["empty", "short", "not-base64", "non-ascii", "too-long", "unsigned"],
)
def test_garbage_tokens_are_invalid(token):
    with pytest.raises(InvalidPageToken):
        decode_token("events:*", token, EventsCursor)


def test_token_of_another_scope_is_invalid():
    token = encode_token("events:active", EVENT_1)
    with pytest.raises(InvalidPageToken):
        decode_token("events:cancelled", token, EventsCursor)


def test_token_signed_with_another_key_is_invalid():
    with pytest.raises(InvalidPageToken):
        decode_token(
            "events:*", forged("events:*", {"eventId": "evt-1"}, key="not-the-server-key"), EventsCursor
        )


@pytest.mark.parametrize(
    "payload",
    [
        ["eventId"],
        "evt-1",
        None,
        {},
        {"eventId": "evt-1", "offset": -1},  # no field but the cursor's own
        {"eventId": 7},  # strict: not a string
        {"eventId": "evt 1"},  # not an id
        {"key": {"eventId": {"S": "evt-1"}}},  # the DynamoDB key itself is never accepted
    ],
    ids=["list", "string", "null", "empty", "extra-field", "int-id", "bad-id", "raw-key"],
)
def test_signed_payload_that_is_not_this_listings_cursor_is_invalid(payload):
    with pytest.raises(InvalidPageToken):
        decode_token("events:*", forged("events:*", payload), EventsCursor)


def test_deeply_nested_signed_payload_is_invalid():
    # Given a validly signed payload nested about as deep as a token allows (past the recursion
    # limit of some Pythons' JSON parser)
    token = signed("events:*", b"[" * 1500 + b"]" * 1500)

    # Then it is a bad token, not a crash
    with pytest.raises(InvalidPageToken):
        decode_token("events:*", token, EventsCursor)


def test_changing_the_key_invalidates_outstanding_tokens(monkeypatch):
    token = encode_token("events:*", EVENT_1)
    monkeypatch.setenv("PAGE_TOKEN_SECRET", "rotated")
    get_settings.cache_clear()
    with pytest.raises(InvalidPageToken):
        decode_token("events:*", token, EventsCursor)


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
    event_token = encode_token("events:*", EVENT_1)
    with pytest.raises(InvalidPageToken):
        user_registrations(alice, limit=1, next_token=event_token)
