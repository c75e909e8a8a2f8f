"""Page tokens are opaque and signed: edited, forged or borrowed tokens are refused."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from event_core.attendance import event_registrations, user_registrations
from event_core.errors import InvalidPageToken
from event_core.event_listing import list_events
from event_core.models.page_cursors import (
    EventRegistrationsCursor,
    EventsByStatusCursor,
    EventsCursor,
    WaitlistKey,
    WaitlistPhase,
)
from event_core.pagination import decode_token, encode_token
from event_core.settings import get_settings
from tests.support.builders import a_user, an_event, register_all, some_users
from tests.support.page_tokens import forged, signed

INSTANT = "2027-01-01T00:00:00.000000Z"
EVENT_1 = EventsByStatusCursor(eventId="evt-1", dateUtc=INSTANT)


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
    token = encode_token("events-by-date:active", EVENT_1)
    with pytest.raises(InvalidPageToken):
        decode_token("events-by-date:active", flip(token, index), EventsByStatusCursor)


@pytest.mark.parametrize(
    "token",
    ["", "abc", "!!!!", "é", "a" * 5000, base64.urlsafe_b64encode(b"x" * 40).decode()],
    ids=["empty", "short", "not-base64", "non-ascii", "too-long", "unsigned"],
)
def test_garbage_tokens_are_invalid(token):
    with pytest.raises(InvalidPageToken):
        decode_token("events-by-date:*", token, EventsCursor)


def test_token_of_another_scope_is_invalid():
    token = encode_token("events-by-date:active", EVENT_1)
    with pytest.raises(InvalidPageToken):
        decode_token("events-by-date:cancelled", token, EventsByStatusCursor)


def test_token_signed_with_another_key_is_invalid():
    with pytest.raises(InvalidPageToken):
        decode_token(
            "events-by-date:active",
            forged("events-by-date:active", EVENT_1.model_dump(), key="not-the-server-key"),
            EventsByStatusCursor,
        )


@pytest.mark.parametrize(
    "payload",
    [
        ["eventId"],
        "evt-1",
        None,
        {},
        {"eventId": "evt-1", "dateUtc": INSTANT, "offset": -1},  # no field but the cursor's own
        {"eventId": 7, "dateUtc": INSTANT},  # strict: not a string
        {"eventId": "evt 1", "dateUtc": INSTANT},  # not an id
        {"eventId": "evt-1", "dateUtc": ""},  # DynamoDB refuses empty key strings
        {"eventId": "evt-1", "dateUtc": "x" * 251},  # longer than a sort key may be
        {"eventId": "evt-1", "date": "2027-01-01"},  # the listing by date text's position
        {"eventId": "evt-1", "dateUtc": INSTANT, "status": "cancelled"},  # the status is the route's
        {"key": {"eventId": {"S": "evt-1"}}},  # the DynamoDB key itself is never accepted
    ],
    ids=[
        "list",
        "string",
        "null",
        "empty",
        "extra-field",
        "int-id",
        "bad-id",
        "empty-instant",
        "oversized-instant",
        "text-date",
        "status",
        "raw-key",
    ],
)
def test_signed_payload_that_is_not_this_listings_cursor_is_invalid(payload):
    with pytest.raises(InvalidPageToken):
        decode_token("events-by-date:active", forged("events-by-date:active", payload), EventsByStatusCursor)


def test_deeply_nested_signed_payload_is_invalid():
    # Given a validly signed payload nested about as deep as a token allows (past the recursion
    # limit of some Pythons' JSON parser)
    token = signed("events-by-date:*", b"[" * 1500 + b"]" * 1500)

    # Then it is a bad token, not a crash
    with pytest.raises(InvalidPageToken):
        decode_token("events-by-date:*", token, EventsCursor)


def test_changing_the_key_invalidates_outstanding_tokens(monkeypatch):
    token = encode_token("events-by-date:active", EVENT_1)
    monkeypatch.setenv("PAGE_TOKEN_SECRET", "rotated")
    get_settings.cache_clear()
    with pytest.raises(InvalidPageToken):
        decode_token("events-by-date:active", token, EventsByStatusCursor)


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
    event_token = encode_token("events-by-date:*", EventsCursor(after={"active": EVENT_1}))
    with pytest.raises(InvalidPageToken):
        user_registrations(alice, limit=1, next_token=event_token)


# ---------------------------------------------------------------- the listing of all events


def test_the_merged_listing_cursor_round_trips():
    cursor = EventsCursor(after={"active": EVENT_1, "postponed": None})
    assert decode_token("events-by-date:*", encode_token("events-by-date:*", cursor), EventsCursor) == cursor


@pytest.mark.parametrize(
    ("scope", "status"),
    [("events:active", "active"), ("events:*", None)],
)
def test_tokens_of_the_listing_by_date_text_are_refused(ddb, scope, status):
    # Given a token the listing gave before it ordered by instant (a status index key, or a scan's)
    for payload in ({"eventId": "evt-1", "date": "2027-01-01"}, {"eventId": "evt-1"}):
        token = forged(scope, payload)

        # Then it is refused (400), never read as a position
        with pytest.raises(InvalidPageToken):
            list_events(status=status, limit=1, next_token=token)


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"after": {}},  # nothing left to read: never handed out
        {"after": []},
        {"after": None},
        {"after": {"archived": None}},  # not a status
        {"after": {"active": "evt-1"}},
        {"after": {"active": {"eventId": "evt-1"}}},  # no instant
        {"after": {"active": {"eventId": "evt-1", "dateUtc": INSTANT, "status": "cancelled"}}},
        {"after": {"active": {"eventId": "evt 1", "dateUtc": INSTANT}}},
        {"after": {"active": {"eventId": "evt-1", "dateUtc": ""}}},
        {"after": {"active": None}, "offset": 3},
        {"eventId": "evt-1", "dateUtc": INSTANT},  # a status listing's cursor
    ],
)
def test_signed_event_list_positions_of_another_shape_are_refused(ddb, payload):
    with pytest.raises(InvalidPageToken):
        list_events(status=None, limit=1, next_token=forged("events-by-date:*", payload))


def test_a_status_listing_token_names_only_its_status(ddb):
    token = forged("events-by-date:active", {"after": {"active": None, "cancelled": None}})
    with pytest.raises(InvalidPageToken):
        list_events(status="active", limit=1, next_token=token)


def test_a_merged_listing_token_resumes_each_status_where_it_says(ddb):
    # Given events of two statuses, and a forged position past the first active one and with
    # cancelled events not to be read
    first, second = an_event(status="active", date="2027-03-01"), an_event(status="active", date="2027-03-02")
    an_event(status="cancelled", date="2027-03-01T12:00:00Z")
    after_first = {"eventId": first, "dateUtc": "2027-03-01T00:00:00.000000Z"}

    # When the listing of all events is asked for the page after it
    page = list_events(
        status=None, limit=10, next_token=forged("events-by-date:*", {"after": {"active": after_first}})
    )

    # Then only the rest of the active events come
    assert [e.eventId for e in page.events] == [second]
