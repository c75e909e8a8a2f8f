"""A local stand-in for EventBridge's PutEvents: an in-memory log of published events.

The functions reach it through AWS_ENDPOINT_URL_EVENTBRIDGE (which botocore honours), so the
code that publishes is exactly the code that runs in AWS. The log keeps each accepted event in
the shape a rule target receives it (`version`, `id`, `detail-type`, `source`, `time`,
`detail`...); the local server shows it at `GET /_local/events`.

Faults emulate PutEvents' partial failures for tests: an armed fault refuses the entries that
match it (answering 200 with a per-entry ErrorCode, as EventBridge does) a given number of times.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from local_api.clients import REGION
from local_api.lambda_context import ACCOUNT_ID
from local_api.net import LOCALHOST

LOG = logging.getLogger(__name__)

BUS_TYPE = "AWS::Events::EventBus"
DEFAULT_BUS = "default"
PUT_EVENTS = "AWSEvents.PutEvents"
MAX_ENTRIES = 10
ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_EVENTBRIDGE"


@dataclass
class Fault:
    """Refuse entries matching `match` (a subset of the delivered event, like an event pattern
    of exact values: {"detail-type": "X", "detail": {"data": {"userId": "u1"}}}), `times` times."""

    match: dict[str, Any]
    times: int = 1
    error_code: str = "InternalFailure"

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Fault:
        match = value.get("match")
        times = value.get("times", 1)
        if not isinstance(match, dict) or not isinstance(times, int) or times < 1:
            raise ValueError('a fault is {"match": {...}, "times": n >= 1, "errorCode": "..."}')
        return cls(match=match, times=times, error_code=str(value.get("errorCode", "InternalFailure")))


def matches(pattern: Any, value: Any) -> bool:
    """Every key of `pattern` is in `value` with an equal (recursively matching) value."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            k in value and matches(v, value[k]) for k, v in pattern.items()
        )
    return bool(pattern == value)


@dataclass
class LocalEventBus:
    """The published events, in order of acceptance, and the armed faults. Thread-safe."""

    buses: frozenset[str] = frozenset({DEFAULT_BUS})
    _events: list[dict[str, Any]] = field(default_factory=list)
    _refused: list[dict[str, Any]] = field(default_factory=list)
    _faults: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put_events(self, entries: list[dict[str, Any]]) -> dict[str, Any]:
        """A PutEvents request's entries -> its response (per-entry EventId or ErrorCode)."""
        results = [self._put(entry) for entry in entries]
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}

    def _put(self, entry: dict[str, Any]) -> dict[str, str]:
        try:
            event = self._target_event(entry)
        except ValueError as error:
            return {"ErrorCode": "MalformedDetail", "ErrorMessage": str(error)}
        bus = entry.get("EventBusName") or DEFAULT_BUS
        if bus.rsplit("/", 1)[-1] not in self.buses:
            return {
                "ErrorCode": "ResourceNotFoundException",
                "ErrorMessage": f"Event bus {bus} does not exist.",
            }
        with self._lock:
            fault = next((f for f in self._faults if matches(f.match, event)), None)
            if fault is not None:
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                self._refused.append({"errorCode": fault.error_code, "event": event})
                LOG.info("Local bus: refused %s %s (armed fault)", event["detail-type"], event["id"])
                return {"ErrorCode": fault.error_code, "ErrorMessage": "Injected failure (local fault)"}
            self._events.append(event)
        return {"EventId": event["id"]}

    @staticmethod
    def _target_event(entry: dict[str, Any]) -> dict[str, Any]:
        if not entry.get("Source") or not entry.get("DetailType"):
            raise ValueError("Source and DetailType are required")
        detail = json.loads(entry.get("Detail") or "null")
        if not isinstance(detail, dict):
            raise ValueError("Detail must be a JSON object")
        when = entry.get("Time")
        moment = datetime.fromtimestamp(float(when), UTC) if when is not None else datetime.now(UTC)
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": entry["DetailType"],
            "source": entry["Source"],
            "account": ACCOUNT_ID,
            "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": list(entry.get("Resources") or []),
            "detail": detail,
        }

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._events)

    def refused(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._refused)

    def arm(self, faults: Iterable[Fault]) -> None:
        with self._lock:
            self._faults.extend(faults)

    def disarm(self) -> list[Fault]:
        """Remove the faults not used up yet, and return them."""
        with self._lock:
            left, self._faults = self._faults, []
        return left


def template_buses(resources: Mapping[str, Any]) -> frozenset[str]:
    """The bus names functions use locally: the template's buses (`!Ref` resolves to the
    logical id) and the default bus."""
    return frozenset(
        {
            DEFAULT_BUS,
            *(name for name, r in resources.items() if isinstance(r, dict) and r.get("Type") == BUS_TYPE),
        }
    )


class _PutEventsHandler(BaseHTTPRequestHandler):
    server: _BusServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("X-Amz-Target") != PUT_EVENTS:
            return self._answer(HTTPStatus.BAD_REQUEST, _error("UnknownOperationException", "Only PutEvents"))
        try:
            entries = json.loads(body).get("Entries")
        except (ValueError, AttributeError):
            entries = None
        if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_ENTRIES:
            message = f"Entries: a list of 1 to {MAX_ENTRIES} entries"
            return self._answer(HTTPStatus.BAD_REQUEST, _error("ValidationException", message))
        return self._answer(HTTPStatus.OK, self.server.bus.put_events(entries))

    def _answer(self, status: HTTPStatus, document: dict[str, Any]) -> None:
        payload = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        LOG.debug("Local bus: " + format, *args)


def _error(code: str, message: str) -> dict[str, str]:
    return {"__type": code, "message": message}


class _BusServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, bus: LocalEventBus) -> None:
        super().__init__((LOCALHOST, 0), _PutEventsHandler)
        self.bus = bus


@dataclass(frozen=True)
class RunningBus:
    bus: LocalEventBus
    endpoint: str


@contextmanager
def serve_event_bus(bus: LocalEventBus) -> Iterator[RunningBus]:
    """Serve PutEvents for `bus` on a free local port while the block runs."""
    server = _BusServer(bus)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="local-eventbridge", daemon=True
    )
    thread.start()
    try:
        yield RunningBus(bus, f"http://{LOCALHOST}:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
