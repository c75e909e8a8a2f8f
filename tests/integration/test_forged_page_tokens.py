"""Forged page tokens on DynamoDB Local: signed with the server's own key, they still answer 400.

An attacker who knows the key (a leaked or, before issue 13, the template's public default) can
sign any payload. The listings must then refuse everything that is not a well-formed position in
their own listing with 400 `Invalid nextToken`, and resume after any position that is: never a
5xx. Each handler runs in this process against DynamoDB Local, which validates start keys as
DynamoDB does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from event_core.clock import iso
from event_core.event_listing import listing_scope
from event_core.events import get_event, incarnation
from event_core.ids import ID_PATTERN
from event_core.models.date_ranges import DateRange
from event_core.models.events import EventStatus
from local_api.samples import sample
from tests.support.builders import a_user, an_event, register_all
from tests.support.environment import clear_caches, use_function_environment
from tests.support.lambda_runner import Answer, invoke
from tests.support.page_tokens import forged

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("local_env")]

STATUSES: tuple[EventStatus, ...] = ("active", "cancelled", "completed", "postponed")


@dataclass(frozen=True)
class Listings:
    """One event with two attendees and two people waiting, another event, and two users
    registered at both."""

    event_id: str
    other_event_id: str
    user_id: str
    other_user_id: str
    waiting_ids: tuple[str, str]

    @property
    def event_scope(self) -> str:
        return f"event-registrations:{self.event_id}:{incarnation(get_event(self.event_id).event)}"

    @property
    def user_scope(self) -> str:
        return f"user-registrations:{self.user_id}"

    def events(self, payload: object, status: str | None = None, **filters: str) -> Answer:
        """The listing of events (of a status; `filters` are query parameters: from, to, organizer)
        after a position signed for that very listing."""
        between = DateRange.of(filters.get("from"), filters.get("to"))
        scope = listing_scope(status, between, filters.get("organizer"))
        return self.events_with_token(forged(scope, payload), status, **filters)

    def events_with_token(self, token: str, status: str | None = None, **filters: str) -> Answer:
        query = {"limit": "2", "nextToken": token, **filters}
        return invoke(
            "list_events", sample("list_events", query={**query, **({"status": status} if status else {})})
        )

    def event_registrations(self, payload: object) -> Answer:
        name = "list_event_registrations"
        query = {"limit": "2", "nextToken": forged(self.event_scope, payload)}
        return invoke(name, sample(name, path_params={"eventId": self.event_id}, query=query))

    def user_registrations(self, payload: object) -> Answer:
        name = "list_user_registrations"
        query = {"limit": "1", "nextToken": forged(self.user_scope, payload)}
        return invoke(name, sample(name, path_params={"userId": self.user_id}, query=query))


@pytest.fixture(scope="module")
def listings(ddb_endpoint: str) -> Listings:
    """Made once for the module: its tests only read these listings."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_function_environment(monkeypatch, DYNAMODB_ENDPOINT=ddb_endpoint)
        event_id, other_event_id = (an_event(capacity=2, waitlist=True, organizer="Tests") for _ in range(2))
        user_id, other_user_id, first_waiting, second_waiting = a_user(), a_user(), a_user(), a_user()
        register_all(event_id, [user_id, other_user_id, first_waiting, second_waiting])
        register_all(other_event_id, [user_id, other_user_id])
    clear_caches()
    return Listings(event_id, other_event_id, user_id, other_user_id, (first_waiting, second_waiting))


def assert_invalid_token(answer: Answer) -> None:
    assert (answer.status, answer.body) == (400, {"detail": "Invalid nextToken"})


INSTANT = "2027-01-01T00:00:00.000000Z"
POSITION = {"eventId": "evt-1", "dateUtc": INSTANT}


# ---------------------------------------------------------------- the reported cases


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        pytest.param("evt-1", None, id="key-as-string"),
        pytest.param({"key": {"eventId": {"S": "evt-1"}}}, None, id="raw-dynamodb-key"),  # the old format
        pytest.param({"key": {"foo": {"S": "x"}}}, None, id="wrong-attribute"),
        pytest.param({"eventId": "evt-1"}, None, id="scan-position"),  # the listing in scan order
        pytest.param(POSITION, None, id="a-status-position"),  # not under its status
        pytest.param({"after": {}}, None, id="no-status-left"),  # never handed out
        pytest.param({"after": None}, None, id="after-null"),
        pytest.param({"after": [POSITION]}, None, id="after-as-list"),
        pytest.param({"after": {"archived": None}}, None, id="unknown-status"),
        pytest.param({"after": {"active": "evt-1"}}, None, id="position-as-string"),
        pytest.param({"after": {"active": {"eventId": "evt-1"}}}, None, id="position-without-instant"),
        pytest.param({"after": {"active": {"eventId": "", "dateUtc": INSTANT}}}, None, id="empty-id"),
        pytest.param({"after": {"active": {"eventId": 5, "dateUtc": INSTANT}}}, None, id="id-as-number"),
        pytest.param({"after": {"active": {**POSITION, "userId": "u-1"}}}, None, id="extra-attribute"),
        pytest.param({"after": {"active": {**POSITION, "status": "cancelled"}}}, None, id="position-status"),
        pytest.param({"after": {"active": None}, "offset": -1}, None, id="offset"),
        pytest.param(
            {"eventId": "evt-1", "registeredAt": "2027-01-01T00:00:00.000000Z"}, None, id="a-users-key"
        ),
        pytest.param({"eventId": "evt-1"}, "active", id="status-key-without-instant"),
        pytest.param({"eventId": "evt-1", "date": "2027-01-01"}, "active", id="status-key-by-date-text"),
        pytest.param({**POSITION, "status": "cancelled"}, "active", id="another-status"),
        pytest.param({"after": {"active": POSITION}}, "active", id="a-merged-position"),
        pytest.param({"eventId": "evt-1", "dateUtc": ""}, "active", id="empty-instant"),
        pytest.param({"eventId": "evt-1", "dateUtc": "x" * 251}, "active", id="oversized-instant"),
        pytest.param({"eventId": "evt-1", "dateUtc": 20270101}, "active", id="instant-as-number"),
        pytest.param({"eventId": "evt-1", "dateUtc": "2027-01-01\n"}, "active", id="newline"),
    ],
)
def test_forged_events_listing_tokens_answer_400(listings: Listings, payload: object, status: str | None):
    assert_invalid_token(listings.events(payload, status))


# The listings' events are the builders': organizer "Tests", on 2031-05-01 (00:00 UTC).
RANGE = {"from": "2031-05-01", "to": "2031-05-02"}


@pytest.mark.parametrize("status", [None, "active"])
@pytest.mark.parametrize(
    ("instant", "filters"),
    [
        pytest.param("2031-04-30T23:59:59.999999Z", RANGE, id="before-from"),
        pytest.param("2031-05-02T00:00:00.000000Z", RANGE, id="at-to"),
        pytest.param("zzz", {"to": "2031-05-02"}, id="after-to-by-text"),
        pytest.param("0", {"from": "2031-05-01", "organizer": "Tests"}, id="before-from-by-organizer"),
        pytest.param(INSTANT, {"from": "2031-05-01", "to": "2031-05-01"}, id="in-an-empty-range"),
    ],
)
def test_a_position_outside_the_date_range_answers_400(
    listings: Listings, status: str | None, instant: str, filters: dict[str, str]
):
    position = {"eventId": "evt-1", "dateUtc": instant}
    payload = position if status else {"after": {"active": position}}
    assert_invalid_token(listings.events(payload, status, **filters))


@pytest.mark.parametrize(
    ("issued", "used"),
    [
        pytest.param(RANGE, {"from": "2031-05-01"}, id="another-to"),
        pytest.param(RANGE, {**RANGE, "from": "2031-04-30"}, id="another-from"),
        pytest.param(RANGE, {}, id="the-range-dropped"),
        pytest.param({}, RANGE, id="a-range-added"),
        pytest.param({"organizer": "Tests"}, {"organizer": "TESTS"}, id="another-organizer"),
        pytest.param({"organizer": "Tests", **RANGE}, RANGE, id="the-organizer-dropped"),
        pytest.param({**RANGE, "status": "active"}, RANGE, id="the-status-dropped"),
    ],
)
def test_a_token_of_one_query_answers_400_with_other_parameters(
    listings: Listings, issued: dict[str, str], used: dict[str, str]
):
    # Given a real token of one query (the listings' two events, a page of one)
    first = invoke("list_events", sample("list_events", query={"limit": "1", **issued}))
    assert first.status == 200, first.body
    assert first.body["nextToken"]

    # When it is sent with other parameters, then it is refused
    answer = invoke(
        "list_events",
        sample("list_events", query={"limit": "1", **used, "nextToken": first.body["nextToken"]}),
    )
    assert_invalid_token(answer)


def waiting(user_id: str, seq: Any) -> dict[str, Any]:
    return {"phase": "waitlisted", "after": {"userId": user_id, "waitlistSeq": seq}}


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("abc", id="key-as-string"),
        pytest.param({"phase": "registered", "after": "abc"}, id="after-as-string"),
        pytest.param(
            {"phase": "registered", "key": {"eventId": {"S": "evt"}, "userId": {"S": "u"}}},
            id="raw-dynamodb-key",  # the old format
        ),
        pytest.param(
            {"phase": "registered", "after": {"userId": "u-1", "registeredSort": "x", "eventId": "other"}},
            id="another-events-key",
        ),
        pytest.param(
            {"phase": "registered", "after": {"userId": "u-1", "waitlistSeq": 1}},
            id="waitlist-key-in-registered-phase",
        ),
        pytest.param({"phase": "registered", "after": None}, id="registered-without-key"),  # never handed out
        pytest.param({"phase": "cancelled", "after": None}, id="wrong-phase"),
        pytest.param({"after": None}, id="no-phase"),
        pytest.param({"phase": "waitlisted", "after": None, "offset": -5}, id="negative-offset"),
        pytest.param(waiting("u-1", -3), id="negative-ticket"),
        pytest.param(waiting("u-1", 0), id="zero-ticket"),
        pytest.param(waiting("u-1", 2**60), id="huge-ticket"),
        pytest.param(waiting("u-1", 1.5), id="fractional-ticket"),
        pytest.param(waiting("u-1", "1"), id="ticket-as-string"),
        pytest.param(waiting("u-1", True), id="ticket-as-boolean"),
        pytest.param({"eventId": "evt-1"}, id="events-cursor"),
    ],
)
def test_forged_event_registrations_tokens_answer_400(listings: Listings, payload: object):
    assert_invalid_token(listings.event_registrations(payload))


def test_a_token_naming_another_event_or_user_answers_400(listings: Listings):
    # Given positions that name the other event, or the other user, signed for these listings
    after = {"userId": listings.user_id, "registeredSort": "x"}
    other_event = {"phase": "registered", "after": after, "eventId": listings.other_event_id}
    other_user = {"eventId": listings.other_event_id, "registeredAt": "x", "userId": listings.other_user_id}

    # Then they are refused: the event and the user are the route's, never the token's
    assert_invalid_token(listings.event_registrations(other_event))
    assert_invalid_token(listings.user_registrations(other_user))


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("abc", id="key-as-string"),
        pytest.param(
            {"key": {"userId": {"S": "u"}, "registeredAt": {"S": "t"}, "eventId": {"S": "e"}}},
            id="raw-dynamodb-key",
        ),
        pytest.param({"eventId": "evt-1"}, id="an-events-key"),  # an event's key on a user's listing
        pytest.param(
            {"eventId": "evt-1", "registeredAt": "2027-01-01T00:00:00.000000Z", "userId": "someone-else"},
            id="another-users-key",
        ),
        pytest.param({"eventId": "evt-1", "registeredAt": ""}, id="empty"),
        pytest.param({"eventId": "evt-1", "registeredAt": 20270101}, id="number"),
        pytest.param({"eventId": "evt-1", "registeredAt": "2027-01-01\n"}, id="newline"),
    ],
)
def test_forged_user_registrations_tokens_answer_400(listings: Listings, payload: object):
    assert_invalid_token(listings.user_registrations(payload))


def test_a_well_formed_forged_position_resumes_after_it(listings: Listings):
    # Given a waitlist cursor naming the first person waiting (ticket 1), forged with the key
    first, second = listings.waiting_ids
    answer = listings.event_registrations(waiting(first, 1))

    # Then the listing resumes after them, with positions counted from the table, not the token
    assert answer.status == 200, answer.body
    assert answer.body["registered"] == []
    assert [(r["userId"], r["waitlistPosition"]) for r in answer.body["waitlisted"]] == [(second, 2)]


# ---------------------------------------------------------------- any cursor at all

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
ANY_JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
)
IDS = st.from_regex(ID_PATTERN, fullmatch=True)
# Any text but control characters (category Cc is exactly C0, DEL and C1) and lone surrogates.
KEY_TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=250)
TICKETS = st.integers(min_value=1, max_value=2**53)
# Each key attribute any listing uses, with values of its own type or of any other.
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "eventId": IDS | ANY_JSON,
    "userId": IDS | ANY_JSON,
    "dateUtc": KEY_TEXT | ANY_JSON,
    "registeredSort": KEY_TEXT | ANY_JSON,
    "registeredAt": KEY_TEXT | ANY_JSON,
    "waitlistSeq": TICKETS | st.integers() | ANY_JSON,
    "status": st.sampled_from(STATUSES) | ANY_JSON,
    "offset": st.integers(),
}
SOME_FIELDS = st.fixed_dictionaries({}, optional=FIELDS)
IN_RANGE = {"from": "2027-01-01", "to": "2028-01-01"}
IN_RANGE_KEYS = ("2027-01-01T00:00:00.000000Z", "2028-01-01T00:00:00.000000Z")  # dateUtc from, to
# Stored instants in and around that range
NEAR_RANGE = st.datetimes(datetime(2026, 12, 31), datetime(2028, 1, 2), timezones=st.just(UTC)).map(iso)
STATUS_POSITIONS = st.fixed_dictionaries({"eventId": IDS, "dateUtc": KEY_TEXT})
MERGED = st.fixed_dictionaries(
    {
        "after": st.dictionaries(
            st.sampled_from(STATUSES) | st.text(max_size=12), st.none() | SOME_FIELDS | ANY_JSON, max_size=5
        )
        | ANY_JSON
    },
    optional={"offset": st.integers()},
)
PHASED = st.fixed_dictionaries(
    {
        "phase": st.sampled_from(["registered", "waitlisted"]) | ANY_JSON,
        "after": st.none() | SOME_FIELDS | ANY_JSON,
    }
)
# Well-formed cursors of each listing, with random values: they must resume, not fail.
WELL_FORMED = {
    "events": st.fixed_dictionaries(
        {"after": st.dictionaries(st.sampled_from(STATUSES), st.none() | STATUS_POSITIONS, min_size=1)}
    ),
    "events-by-status": STATUS_POSITIONS,
    "events-by-organizer": STATUS_POSITIONS,
    "events-in-range": st.fixed_dictionaries({"eventId": IDS, "dateUtc": KEY_TEXT | NEAR_RANGE}),
    "event-registrations": st.one_of(
        st.fixed_dictionaries(
            {
                "phase": st.just("registered"),
                "after": st.fixed_dictionaries({"userId": IDS, "registeredSort": KEY_TEXT}),
            }
        ),
        st.fixed_dictionaries(
            {
                "phase": st.just("waitlisted"),
                "after": st.none() | st.fixed_dictionaries({"userId": IDS, "waitlistSeq": TICKETS}),
            }
        ),
    ),
    "user-registrations": st.fixed_dictionaries({"eventId": IDS, "registeredAt": KEY_TEXT}),
}
CURSORS = ANY_JSON | SOME_FIELDS | PHASED | MERGED


@settings(
    max_examples=150,
    deadline=None,  # CI is a shared machine: no timing
    derandomize=True,  # the same examples on every run
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_signed_cursor_gets_a_5xx_on_any_listing(listings: Listings, data: st.DataObject):
    # Given any payload, validly signed for one of the listings
    listing = data.draw(st.sampled_from(sorted(WELL_FORMED)), label="listing")
    well_formed = data.draw(st.booleans(), label="well formed")
    payload = data.draw(WELL_FORMED[listing] if well_formed else CURSORS, label="payload")

    # When that listing is asked for the page after it
    if listing == "events":
        answer = listings.events(payload)
    elif listing == "events-by-status":
        answer = listings.events(payload, data.draw(st.sampled_from(STATUSES), label="status"))
    elif listing == "events-by-organizer":
        organizer = data.draw(st.sampled_from(["Tests", "Somebody", "a" * 200]), label="organizer")
        status = data.draw(st.sampled_from(STATUSES), label="status")
        answer = listings.events(payload, status, organizer=organizer)
    elif listing == "events-in-range":
        status = data.draw(st.sampled_from(STATUSES), label="status")
        answer = listings.events(payload, status, **IN_RANGE)
        if well_formed:  # resumes if the position lies in the range, else is refused
            assert isinstance(payload, dict)
            inside = IN_RANGE_KEYS[0] <= payload["dateUtc"] < IN_RANGE_KEYS[1]
            assert answer.status == (200 if inside else 400), answer.body
            return
    elif listing == "event-registrations":
        answer = listings.event_registrations(payload)
    else:
        answer = listings.user_registrations(payload)

    # Then a well-formed position resumes (200) and anything else is a bad token (400)
    if well_formed:
        assert answer.status == 200, answer.body
    else:
        assert answer.status in (200, 400), answer.body
        if answer.status == 400:
            assert answer.body == {"detail": "Invalid nextToken"}
