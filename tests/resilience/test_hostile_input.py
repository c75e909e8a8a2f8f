"""Hostile input over HTTP: every garbage request gets a 4xx with the standard error body.

Sent to the local server (API Gateway's emulation in front of the real functions). Every answer
must be a 4xx, JSON `{"detail": ...}`, carry CORS headers, and say nothing about the internals.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
import requests

from tests.support.bodies import event_body, unique

ORIGIN = "http://localhost:3000"
LEAKS = ("traceback", "botocore", "boto3", "clienterror", "arn:aws", "dynamodb", 'file "', "exception")
TIMEOUT = 60


def send(api_url: str, method: str, path: str, *, body: bytes | str | None = None, **headers: str) -> Any:
    sent = {"Origin": ORIGIN, "Content-Type": "application/json", **headers}
    return requests.request(method, f"{api_url}{path}", data=body, headers=sent, timeout=TIMEOUT)


def assert_refused(response: requests.Response, *statuses: int) -> Any:
    """A 4xx (one of `statuses`), JSON `{"detail": ...}`, with CORS, leaking nothing."""
    assert response.status_code in statuses, (response.status_code, response.text[:500])
    assert response.headers.get("Content-Type", "").startswith("application/json")
    body = response.json()
    assert set(body) == {"detail"}, body
    assert response.headers.get("Access-Control-Allow-Origin") == "*"
    lowered = response.text.lower()
    assert not [leak for leak in LEAKS if leak in lowered], response.text[:500]
    return body["detail"]


VALID_EVENT = json.dumps(event_body())
NOT_JSON = {
    "text": b"not json",
    "truncated": VALID_EVENT[:-1].encode(),
    "empty": b"",
    "array": b"[]",
    "null": b"null",
    "number": b"123",
    "string": b'"event"',
    "nested 20000 deep": b"[" * 20_000 + b"]" * 20_000,
    "5000-digit number": b'{"capacity": 1' + b"0" * 5_000 + b"}",
    "NaN": b'{"capacity": NaN}',
    "BOM": b"\xef\xbb\xbf" + VALID_EVENT.encode(),
    "trailing garbage": VALID_EVENT.encode() + b"}}",
}


@pytest.mark.parametrize("raw", NOT_JSON.values(), ids=NOT_JSON.keys())
@pytest.mark.parametrize("path", ["/events", "/users", "/events/rs-any/registrations"])
def test_bodies_that_are_not_a_json_object_are_422(api_url, path, raw):
    detail = assert_refused(send(api_url, "POST", path, body=raw), 422)
    assert isinstance(detail, list)
    assert detail[0]["loc"][0] == "body"


WRONG_TYPES: dict[str, dict[str, Any]] = {
    "capacity as text": {"capacity": "10"},
    "capacity as float": {"capacity": 10.5},
    "capacity as bool": {"capacity": True},
    "capacity out of range": {"capacity": 10**30},
    "waitlistEnabled as text": {"waitlistEnabled": "true"},
    "title as list": {"title": ["x"]},
    "title as object": {"title": {"$ne": None}},
    "status unknown": {"status": "deleted"},
    "date not a date": {"date": "2027-02-30"},
    "date as number": {"date": 20270514},
    "eventId with a slash": {"eventId": "../../etc/passwd"},
    "eventId too long": {"eventId": "e" * 101},
    "eventId with markup": {"eventId": "<script>alert(1)</script>"},
    "eventId empty": {"eventId": ""},
    "eventId a dot segment": {"eventId": ".."},
    "eventId only dots": {"eventId": "..."},
    "title with NUL": {"title": "a\u0000b"},
    "title with escape sequence": {"title": "\u001b[31mred"},
    "title with C1 control": {"title": "a\u0085b"},
    "title blank": {"title": "\u2003 \t"},
    "title too long": {"title": "é" * 201},
}


@pytest.mark.parametrize("change", WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
def test_wrong_typed_or_hostile_fields_in_a_create_are_422(api_url, change):
    body = {**event_body(), **change}
    detail = assert_refused(send(api_url, "POST", "/events", body=json.dumps(body)), 422)
    assert [issue["loc"][:2] for issue in detail] == [["body", next(iter(change))]], detail


@pytest.mark.parametrize(
    "body",
    [
        {"userId": 123},
        {"userId": None},
        {"userId": "a/b"},
        {"userId": "x" * 101},
        {"userId": "\ud800"},
        {"userId": "' OR '1'='1"},
        {"userId": ".."},
        {"userId": "."},
        {"userId": {"S": "injected"}},
        {},
    ],
)
def test_hostile_user_ids_in_a_registration_body_are_422(api_url, body):
    raw = json.dumps(body)  # lone surrogates travel as \ud800 escapes, as a hostile client sends them
    assert_refused(send(api_url, "POST", "/events/rs-any/registrations", body=raw), 422)


def test_unicode_text_is_stored_and_returned_exactly(api_url):
    # Given text in many scripts, with emoji, combining marks, right-to-left text and line breaks
    body = event_body(
        title="Ünïcödé 🎉 イベント עברית",
        description="Line one\nLine two\tindented\r\nZalgo: a\u0301\u0302\u0303",
        location="São Paulo \u2013 東京",
    )
    created = send(api_url, "POST", "/events", body=json.dumps(body, ensure_ascii=False).encode())
    assert created.status_code == 201, created.text

    # Then it reads back unchanged
    read = send(api_url, "GET", f"/events/{body['eventId']}").json()
    assert [read[k] for k in ("title", "description", "location")] == [
        body["title"],
        body["description"],
        body["location"],
    ]


HOSTILE_IDS = [
    "../../etc/passwd",
    "..",
    "%00",
    "\u0000",
    "id\r\nX-Injected: yes",
    "' OR 1=1 --",
    "<img src=x onerror=alert(1)>",
    "x" * 101,
    "x" * 5000,
    "😀",
    "a/b",
    "a b",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "null",
]
ID_ROUTES = [
    ("GET", "/events/{id}"),
    ("PUT", "/events/{id}"),
    ("DELETE", "/events/{id}"),
    ("PUT", "/events/{id}/waitlist"),
    ("GET", "/events/{id}/registrations"),
    ("POST", "/events/{id}/registrations"),
    ("DELETE", "/events/{id}/registrations/{id}"),
    ("GET", "/users/{id}"),
    ("GET", "/users/{id}/registrations"),
]


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_hostile_ids_in_paths_are_4xx_on_every_route(api_url, hostile):
    bodies = {"PUT /events/{id}": {"title": "x"}, "PUT /events/{id}/waitlist": {"waitlistEnabled": True}}
    for method, template in ID_ROUTES:
        # Dots encoded too: a client (or CloudFront) would resolve a literal `..` segment itself
        path = template.replace("{id}", quote(hostile, safe="").replace(".", "%2E"))
        body = bodies.get(f"{method} {template}", {"userId": "rs-someone"})
        response = send(api_url, method, path, body=json.dumps(body) if method in ("PUT", "POST") else None)
        if response.status_code == 403:  # API Gateway's own answer when no route matches (DEFAULT_4XX)
            assert response.json() == {"detail": "Missing Authentication Token"}
            continue
        assert_refused(response, 404, 422)  # 404: an id that cannot exist; 422: a body field


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/events?stauts=active", None),
        ("GET", "/events?limit=5&debug=true", None),
        ("GET", "/health?verbose=1", None),
        ("GET", "/events/rs-any?fields=all", None),
        ("POST", "/users?admin=true", {"userId": "rs-q", "name": "Q"}),
        ("GET", "/users/rs-any/registrations?nextToken=&offset=5", None),
    ],
)
def test_unknown_query_parameters_are_422_naming_them(api_url, method, path, body):
    response = send(api_url, method, path, body=json.dumps(body) if body else None)
    detail = assert_refused(response, 422)
    unknown = [issue for issue in detail if issue["type"] == "extra_forbidden"]
    assert unknown, detail
    assert all(issue["loc"][0] == "query" and issue["msg"] == "Unknown query parameter" for issue in unknown)


def test_thousands_of_unknown_query_parameters_get_a_short_422(api_url):
    query = "&".join(f"p{i}=x" for i in range(3000))
    response = send(api_url, "GET", f"/events?{query}")
    detail = assert_refused(response, 422)
    assert [issue["type"] for issue in detail] == ["extra_forbidden"] * 20 + ["too_many_errors"]
    assert len(response.content) < 4096


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/json",
        "application/jsonx",
        "application/json-patch+json",
        "application/json; charset=latin-1",
    ],
)
def test_bodies_declared_as_anything_but_json_are_415(api_url, content_type):
    user_id = unique("user")
    form = f"userId={user_id}&name=Form"
    response = send(api_url, "POST", "/users", body=form, **{"Content-Type": content_type})
    assert assert_refused(response, 415) == "Unsupported Media Type: send application/json"
    assert send(api_url, "GET", f"/users/{user_id}").status_code == 404


@pytest.mark.parametrize(
    "content_type", ["Application/JSON", "APPLICATION/JSON", "application/JSON; charset=utf-8"]
)
def test_json_is_read_however_its_media_type_is_spelled(api_url, content_type):
    user_id = unique("user")
    body = json.dumps({"userId": user_id, "name": "Spelled"})
    response = send(api_url, "POST", "/users", body=body, **{"Content-Type": content_type})
    assert response.status_code == 201, response.text
    assert send(api_url, "GET", f"/users/{user_id}").json()["name"] == "Spelled"


def test_a_body_over_64_kib_is_413(api_url):
    body = json.dumps({**event_body(), "description": "x" * (64 * 1024)})
    assert_refused(send(api_url, "POST", "/events", body=body), 413)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Idempotency-Key", "x" * 256),
        ("Idempotency-Key", "has space"),
        ("If-Match", '"unterminated'),
        ("If-Match", "no-quotes"),
    ],
)
def test_malformed_headers_are_422(api_url, header, value):
    if header == "If-Match":
        response = send(api_url, "PUT", "/events/rs-any", body=json.dumps({"title": "x"}), **{header: value})
    else:
        response = send(api_url, "POST", "/users", body=json.dumps({"name": "x"}), **{header: value})
    detail = assert_refused(response, 422)
    assert detail[0]["loc"] == ["header", header.lower()]
