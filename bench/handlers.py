"""Calling the functions in this process, as the Lambda runtime does while a sandbox is warm.

Each functions/<name>/app.py is loaded once under its own module name (they are all called
`app`), and its `lambda_handler` is fed API Gateway proxy events built from the events/
samples. DynamoDB traffic is observed with botocore's event hooks on event_core's one client:
`before-send` counts round trips (retries included, since each is one), `before-parse` records
raw responses, and a `before-send` hook that returns a recorded response replaces DynamoDB
altogether (botocore still serializes, signs and parses, as it would for real).
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
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from bench.paths import EVENTS_DIR, FUNCTIONS_DIR
from event_core.store.client import dynamodb

Event = dict[str, Any]
Handler = Callable[[Event, Any], dict[str, Any]]
_ids = itertools.count()


class LambdaContext:
    """The context attributes Powertools reads."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.aws_request_id = f"bench-{next(_ids)}"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


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


def sample(name: str) -> Event:
    loaded: Event = json.loads((EVENTS_DIR / f"{name}.json").read_text())
    return loaded


def request(
    name: str,
    *,
    path: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    body: Any = None,
) -> Event:
    """events/<name>.json with other path parameters, query string or JSON body."""
    event = copy.deepcopy(sample(name))
    if path:
        params = {**(event["pathParameters"] or {}), **path}
        resolved = event["resource"]
        for key, value in params.items():
            resolved = resolved.replace("{" + key + "}", value)
        event["pathParameters"] = params
        event["path"] = resolved
        event["requestContext"]["path"] = f"/{event['requestContext']['stage']}{resolved}"
    if query is not None:
        event["queryStringParameters"] = query or None
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    if body is not None:
        event["body"] = json.dumps(body)
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
        return handler(name)(copy.deepcopy(event), LambdaContext(name))


def timed(name: str, event: Event) -> tuple[float, dict[str, Any]]:
    """Seconds the handler took, and its answer. The event is copied before the clock starts."""
    fresh = copy.deepcopy(event)
    context = LambdaContext(name)
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
    """DynamoDB requests sent (each retry is one more), by operation, and the items they read:
    items evaluated by Query/Scan (ScannedCount, which is also what a COUNT query reads), items
    returned by GetItem and BatchGetItem. Items read is what DynamoDB's read cost and latency
    grow with."""

    by_operation: Counter[str] = field(default_factory=Counter)
    items_read: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_operation.values())

    def describe(self, calls: int = 1) -> str:
        return (
            ", ".join(f"{op} {count / calls:g}" for op, count in sorted(self.by_operation.items())) or "none"
        )

    def _count(self, request: AWSPreparedRequest, **_: Any) -> None:
        self.by_operation[operation(request)] += 1

    def _read(self, parsed: dict[str, Any], **_: Any) -> None:
        if "ScannedCount" in parsed:
            self.items_read += int(parsed["ScannedCount"])
        elif "Item" in parsed:
            self.items_read += 1
        elif "Responses" in parsed and isinstance(parsed["Responses"], dict):
            self.items_read += sum(len(items) for items in parsed["Responses"].values())

    def __add__(self, other: RoundTrips) -> RoundTrips:
        return RoundTrips(self.by_operation + other.by_operation, self.items_read + other.items_read)


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
    status_code: int
    headers: dict[str, str]
    body: bytes


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@contextlib.contextmanager
def recording() -> Iterator[list[Recorded]]:
    """The raw DynamoDB responses of whatever runs inside, in order."""
    recorded: list[Recorded] = []

    def record(response_dict: dict[str, Any], operation_model: Any, **_: Any) -> None:
        recorded.append(
            Recorded(
                operation_model.name,
                int(response_dict["status_code"]),
                dict(response_dict["headers"]),
                bytes(response_dict["body"]),
            )
        )

    events = dynamodb().meta.events
    events.register("before-parse.dynamodb", record, unique_id="bench-record")
    try:
        yield recorded
    finally:
        events.unregister("before-parse.dynamodb", unique_id="bench-record")


@contextlib.contextmanager
def replaying(responses: list[Recorded]) -> Iterator[None]:
    """DynamoDB stubbed: each request is answered, in turn, by the next recorded response."""
    if not responses:
        yield
        return
    queue = itertools.cycle(responses)

    def answer(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        response = next(queue)
        if response.operation != operation(request):
            raise RuntimeError(
                f"replay out of step: {operation(request)} sent, {response.operation} recorded"
            )
        headers: Any = response.headers  # AWSResponse wraps any mapping in a HeadersDict
        return AWSResponse(request.url, response.status_code, headers, _Body(response.body))

    events = dynamodb().meta.events
    # A before-send handler that returns a response replaces the HTTP request; the stubs type
    # every handler as returning None.
    events.register_first("before-send.dynamodb", answer, unique_id="bench-replay")  # type: ignore[arg-type]
    try:
        yield
    finally:
        events.unregister("before-send.dynamodb", unique_id="bench-replay")
