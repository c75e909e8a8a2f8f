"""Ids travel as URL path segments: no valid id may be one that an HTTP client rewrites.

Clients resolve dot segments before sending (RFC 3986 section 5.2.4, WHATWG URL): with an
attendee `..`, `DELETE /events/e1/registrations/..` leaves the client as `DELETE /events/e1/`,
which deletes the event. So the id rule refuses every id that curl, python-requests or a
browser's URL parser would not send as it is. Each client here really sends its request, to a
server that records the path it received.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from event_core.ids import is_valid_id

# Ids of the id alphabet with dots where a URL normalizer might look: alone, leading, trailing.
CANDIDATES = [".", "..", "...", "....", ".a", "a.", "..a", "a..", "a..b", "-.", ".-", "org:42", "a_b"]
PREFIX = "/events/e1/registrations/"
TIMEOUT = 10


class _Recorder(BaseHTTPRequestHandler):
    received: list[str]

    def do_DELETE(self) -> None:
        self.received.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server's base URL and the request paths it has received, in order."""
    received: list[str] = []
    handler = type("Recorder", (_Recorder,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def send_with_requests(base: str, paths: list[str]) -> None:
    for path in paths:
        requests.delete(base + path, timeout=TIMEOUT)


def send_with_curl(base: str, paths: list[str]) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    urls = [base + path for path in paths]
    subprocess.run(  # noqa: S603 - fixed arguments, local URLs
        [curl, "-s", "-o", "/dev/null", "-X", "DELETE", *urls], check=True, timeout=TIMEOUT
    )


def send_with_whatwg_fetch(base: str, paths: list[str]) -> None:
    """Node's fetch: the WHATWG URL parser of browsers, then the request, one at a time."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = (
        "const urls = JSON.parse(process.argv[1]);"
        "(async () => { for (const u of urls) await fetch(u, {method: 'DELETE'}); })()"
        ".catch(e => { console.error(e); process.exit(1); });"
    )
    urls = json.dumps([base + path for path in paths])
    subprocess.run([node, "-e", script, urls], check=True, timeout=TIMEOUT)  # noqa: S603


CLIENTS = {
    "python-requests": send_with_requests,
    "curl": send_with_curl,
    "WHATWG fetch": send_with_whatwg_fetch,
}


@pytest.mark.parametrize("send", CLIENTS.values(), ids=CLIENTS.keys())
def test_every_valid_id_reaches_the_server_as_sent(recorder, send):
    # Given a DELETE of a registration for every candidate id
    base, received = recorder
    paths = [PREFIX + candidate for candidate in CANDIDATES]

    # When the client sends them
    send(base, paths)

    # Then the ids it rewrote are ids the API refuses, and it rewrote some (the dot segments)
    assert len(received) == len(paths)
    rewritten = [
        candidate for candidate, path in zip(CANDIDATES, received, strict=True) if path != PREFIX + candidate
    ]
    assert {".", ".."} <= set(rewritten), received
    assert [candidate for candidate in rewritten if is_valid_id(candidate)] == []


def test_ids_made_only_of_dots_are_refused_even_where_no_client_rewrites_them():
    # `...` reaches the server intact, but it is no name anyone needs, and a normalizer that
    # trims trailing dots (old .NET Uri, Windows paths) would turn it into a dot segment.
    assert [candidate for candidate in CANDIDATES if set(candidate) == {"."} and is_valid_id(candidate)] == []
    assert all(is_valid_id(candidate) for candidate in CANDIDATES if set(candidate) != {"."})
