"""Calling the functions in this process, as the Lambda runtime does while a sandbox is warm.

Each functions/<name>/app.py is loaded once under its own module name (they are all called
`app`), and its `lambda_handler` is fed API Gateway proxy events built from the events/
samples. DynamoDB traffic is observed with botocore's event hooks on event_core's one client:
`before-send` counts round trips (retries included, since each is one), `before-parse` records
raw responses, and a `before-send` hook that returns a recorded response replaces DynamoDB
altogether (botocore still serializes, signs and parses, as it would for real), with the values
a call generates in place of those the recorded call generated (`Replay`).
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import io
import itertools
import json
import time
import uuid
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, NoReturn

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from bench.paths import FUNCTIONS_DIR
from event_core.store.client import dynamodb
from local_api.lambda_context import LambdaContext
from local_api.samples import sample

Event = dict[str, Any]
Handler = Callable[[Event, Any], dict[str, Any]]
_ids = itertools.count()


def invocation_context(name: str) -> LambdaContext:
    return LambdaContext(name, f"bench-{next(_ids)}", log_stream_name="bench")


_loaded: dict[str, Handler] = {}


def handler(name: str) -> Handler:
    """functions/<name>/app.py's lambda_handler, imported once."""
    if name not in _loaded:
        spec = importlib.util.spec_from_file_location(f"bench_app_{name}", FUNCTIONS_DIR / name / "app.py")
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load functions/{name}/app.py")
        module: ModuleType = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _loaded[name] = module.lambda_handler
    return _loaded[name]


def request(
    name: str,
    *,
    path: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    body: Any = None,
) -> Event:
    """events/<name>.json with other path parameters, query string or JSON body."""
    changes: dict[str, Any] = {"path_params": path}
    if query is not None:
        changes["query"] = query
    if body is not None:
        changes["body"] = body
    event = sample(name, **changes)
    _fresh_idempotency_key(event)
    return event


def _fresh_idempotency_key(event: Event) -> None:
    """A sample that sends an Idempotency-Key gets a new one: each bench request is a new operation."""
    for name in list(event.get("headers") or {}):
        if name.lower() == "idempotency-key":
            key = f"bench-{uuid.uuid4()}"
            event["headers"][name] = key
            if name in (event.get("multiValueHeaders") or {}):
                event["multiValueHeaders"][name] = [key]


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Swallow what handlers print (EMF metrics) and Powertools' empty-metrics warning."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        yield


def invoke(name: str, event: Event) -> dict[str, Any]:
    with quiet():
        return handler(name)(copy.deepcopy(event), invocation_context(name))


def timed(name: str, event: Event) -> tuple[float, dict[str, Any]]:
    """Seconds the handler took, and its answer. The event is copied before the clock starts."""
    fresh = copy.deepcopy(event)
    context = invocation_context(name)
    function = handler(name)
    with quiet():
        started = time.perf_counter()
        answer = function(fresh, context)
        return time.perf_counter() - started, answer


def operation(request: AWSPreparedRequest) -> str:
    target = request.headers.get("X-Amz-Target", b"")
    text = target.decode() if isinstance(target, bytes) else str(target)
    return text.rpartition(".")[2] or "?"


@dataclass
class RoundTrips:
    """DynamoDB requests sent (each retry is one more), in order, and the items they read:
    items evaluated by Query/Scan (ScannedCount, which is also what a COUNT query reads), items
    returned by GetItem and BatchGetItem. Items read is what DynamoDB's read cost and latency
    grow with."""

    sent: list[str] = field(default_factory=list)
    items_read: int = 0

    @property
    def by_operation(self) -> Counter[str]:
        return Counter(self.sent)

    @property
    def total(self) -> int:
        return len(self.sent)

    def describe(self, calls: int = 1) -> str:
        return (
            ", ".join(f"{op} {count / calls:g}" for op, count in sorted(self.by_operation.items())) or "none"
        )

    def _count(self, request: AWSPreparedRequest, **_: Any) -> None:
        self.sent.append(operation(request))

    def _read(self, parsed: dict[str, Any], **_: Any) -> None:
        if "ScannedCount" in parsed:
            self.items_read += int(parsed["ScannedCount"])
        elif "Item" in parsed:
            self.items_read += 1
        elif "Responses" in parsed and isinstance(parsed["Responses"], dict):
            self.items_read += sum(len(items) for items in parsed["Responses"].values())

    def __add__(self, other: RoundTrips) -> RoundTrips:
        return RoundTrips(self.sent + other.sent, self.items_read + other.items_read)


@contextlib.contextmanager
def counting() -> Iterator[RoundTrips]:
    counter = RoundTrips()
    events = dynamodb().meta.events
    events.register("before-send.dynamodb", counter._count, unique_id="bench-count")
    events.register("after-call.dynamodb", counter._read, unique_id="bench-read")
    try:
        yield counter
    finally:
        events.unregister("before-send.dynamodb", unique_id="bench-count")
        events.unregister("after-call.dynamodb", unique_id="bench-read")


@dataclass(frozen=True, slots=True)
class Recorded:
    operation: str
    request: bytes  # the JSON body sent
    status_code: int
    headers: dict[str, str]
    body: bytes


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def _sent_body(request: AWSPreparedRequest) -> bytes:
    body = request.body
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if body is None:
        return b"{}"
    raise TypeError(f"a request body bench cannot read: {type(body).__name__}")


@contextlib.contextmanager
def recording() -> Iterator[list[Recorded]]:
    """What whatever runs inside sends to DynamoDB and the raw responses, in order."""
    recorded: list[Recorded] = []
    sent: list[bytes] = []

    def send(request: AWSPreparedRequest, **_: Any) -> None:
        sent.append(_sent_body(request))

    def record(response_dict: dict[str, Any], operation_model: Any, **_: Any) -> None:
        recorded.append(
            Recorded(
                operation_model.name,
                sent.pop(),
                int(response_dict["status_code"]),
                dict(response_dict["headers"]),
                bytes(response_dict["body"]),
            )
        )

    events = dynamodb().meta.events
    events.register("before-send.dynamodb", send, unique_id="bench-record-request")
    events.register("before-parse.dynamodb", record, unique_id="bench-record")
    try:
        yield recorded
    finally:
        events.unregister("before-send.dynamodb", unique_id="bench-record-request")
        events.unregister("before-parse.dynamodb", unique_id="bench-record")


_BODY_HEADERS = ("x-amz-crc32", "content-length")


class ReplayDiverged(RuntimeError):
    """A replayed call did not send what the recorded call sent: it took another path."""


Place = tuple[str | int, ...]  # keys and indexes from a JSON document's root to one value


def _strings(document: Any, place: Place = ()) -> Iterator[tuple[Place, str]]:
    """Every string in a JSON document (DynamoDB's typed values are all strings), with its place."""
    if isinstance(document, str):
        yield place, document
    elif isinstance(document, dict):
        for name, value in document.items():
            yield from _strings(value, (*place, name))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _strings(value, (*place, index))


def _at(document: Any, place: Place) -> Any:
    for step in place:
        document = document[step]
    return document


class Replay:
    """Answers each call's DynamoDB requests with the recorded call's responses, in order.

    The recorded responses describe the recorded call's own values: the ids it was given (a
    user), those it generated (a lease's owner) and its clock (a lease's expiry). Where a call
    sends another value than the recorded call sent at the same place of a request, and the
    recorded value comes back in that response or a later one, the call's value stands in for it
    there: the replay answers as DynamoDB would have answered this call, in the state the
    recording was made in (a lease the call took reads back as its own, not another writer's).
    What a call sends from the state it read (a count in a condition) is what the recorded call
    sent, since both read the same state.

    Each call must send the recorded requests' operations, in order, and all of them: otherwise
    it took another path than the one recorded, and `call` raises ReplayDiverged.
    """

    def __init__(self, responses: list[Recorded]) -> None:
        self._responses = responses
        # For each request, the strings it sent that come back in a response from its own on:
        # only those can need a stand-in (found once here, so that a call parses little).
        self._echoed: list[list[tuple[Place, str]]] = []
        for index, recorded in enumerate(responses):
            later = b"".join(r.body for r in responses[index:])
            strings = _strings(json.loads(recorded.request))
            self._echoed.append([(place, value) for place, value in strings if _quoted(value) in later])
        self._next = 0
        self._stand_ins: dict[bytes, bytes] = {}
        self._diverged: str | None = None

    @contextlib.contextmanager
    def call(self) -> Iterator[None]:
        self._next, self._stand_ins, self._diverged = 0, {}, None
        yield
        if self._diverged is None and self._next < len(self._responses):
            self._diverged = (
                f"{self._next} requests sent, {len(self._responses)} recorded "
                f"({', '.join(r.operation for r in self._responses)})"
            )
        if self._diverged is not None:
            raise ReplayDiverged(f"replay out of step: {self._diverged}")

    def answer(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        sent = operation(request)
        if self._next >= len(self._responses):
            self._diverge(f"{sent} sent after the {len(self._responses)} requests recorded")
        recorded = self._responses[self._next]
        if recorded.operation != sent:
            self._diverge(f"request {self._next + 1}: {sent} sent, {recorded.operation} recorded")
        if echoed := self._echoed[self._next]:
            document = json.loads(_sent_body(request))
            for place, value in echoed:
                with contextlib.suppress(LookupError, TypeError):  # sent otherwise: nothing to stand in
                    if isinstance(stand_in := _at(document, place), str) and stand_in != value:
                        self._stand_ins.setdefault(_quoted(value), _quoted(stand_in))
        self._next += 1
        body = recorded.body
        for quoted, quoted_stand_in in self._stand_ins.items():
            body = body.replace(quoted, quoted_stand_in)
        headers = recorded.headers
        if body != recorded.body:  # botocore checks DynamoDB's CRC32 of the body
            headers = {name: value for name, value in headers.items() if name.lower() not in _BODY_HEADERS}
            headers.update({"x-amz-crc32": str(zlib.crc32(body)), "Content-Length": str(len(body))})
        wrapped: Any = headers  # AWSResponse wraps any mapping in a HeadersDict
        return AWSResponse(request.url, recorded.status_code, wrapped, _Body(body))

    def _diverge(self, what: str) -> NoReturn:
        if self._diverged is None:
            self._diverged = what
        raise ReplayDiverged(f"replay out of step: {what}")


def _quoted(value: str) -> bytes:
    return json.dumps(value).encode()


@contextlib.contextmanager
def replaying(responses: list[Recorded]) -> Iterator[Replay]:
    """DynamoDB stubbed: each call, inside `Replay.call`, is answered by `responses` in turn."""
    replay = Replay(responses)
    events = dynamodb().meta.events
    # A before-send handler that returns a response replaces the HTTP request; the stubs type
    # every handler as returning None.
    events.register_first("before-send.dynamodb", replay.answer, unique_id="bench-replay")  # type: ignore[arg-type]
    try:
        yield replay
    finally:
        events.unregister("before-send.dynamodb", unique_id="bench-replay")
