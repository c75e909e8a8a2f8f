"""Fault injection for the process's DynamoDB client: DynamoDB's own failures, on demand.

`Faults(client)` answers the first N calls of an operation with a fault instead of sending them.
It hooks botocore's `before-send` event, which fires for every attempt *below* the SDK's retry
handler, so an injected ThrottlingException is retried by botocore exactly like a real one (and
counted by its retry quota), and what reaches event_core is what DynamoDB + botocore would give.

Faults:
- `error(code)`: an HTTP 400 (or 500) with DynamoDB's JSON error body, e.g. ThrottlingException,
  ProvisionedThroughputExceededException, InternalServerError, TransactionConflictException.
- `transaction_conflict()`: TransactWriteItems cancelled with one `TransactionConflict` reason.
- `lost_response()`: the request really reaches DynamoDB Local and is applied, then the client
  sees a 500 as if the response had been lost on the way back; the SDK retries it.
- `connection_error()`: the connection fails before anything is sent.

Every injected fault is counted in `injected` (by operation), every attempt in `attempts`.
"""

from __future__ import annotations

import io
import json
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HTTPHeaders
from botocore.exceptions import EndpointConnectionError

_ERROR_TYPE = "com.amazonaws.dynamodb.v20120810#{}"


class _Raw(io.BytesIO):
    """What botocore reads a response body from (urllib3's `stream()`)."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


def _response(request: AWSPreparedRequest, status: int, body: dict[str, Any]) -> AWSResponse:
    headers = HTTPHeaders()
    headers["Content-Type"] = "application/x-amz-json-1.0"
    headers["x-amzn-RequestId"] = "injected-fault"
    return AWSResponse(request.url, status, headers, _Raw(json.dumps(body).encode()))


Fault = Callable[[AWSPreparedRequest], AWSResponse]


def _payload(request: AWSPreparedRequest) -> dict[str, Any]:
    body = request.body
    return json.loads(body) if isinstance(body, str | bytes) and body else {}


def error(code: str, *, status: int = 400, message: str = "Injected fault") -> Fault:
    def fault(request: AWSPreparedRequest) -> AWSResponse:
        return _response(request, status, {"__type": _ERROR_TYPE.format(code), "message": message})

    return fault


def transaction_conflict() -> Fault:
    def fault(request: AWSPreparedRequest) -> AWSResponse:
        actions = len(_payload(request).get("TransactItems", [])) or 1
        reasons = [{"Code": "None"}] * (actions - 1) + [
            {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}
        ]
        codes = ", ".join(r["Code"] for r in reasons)
        return _response(
            request,
            400,
            {
                "__type": _ERROR_TYPE.format("TransactionCanceledException"),
                "Message": f"Transaction cancelled, please refer cancellation reasons [{codes}]",
                "CancellationReasons": reasons,
            },
        )

    return fault


def connection_error() -> Fault:
    def fault(request: AWSPreparedRequest) -> AWSResponse:
        raise EndpointConnectionError(endpoint_url=request.url)

    return fault


LOST_RESPONSE = error("InternalServerError", status=500, message="Injected: response lost")
"""For `chaos`: the request is applied, then answered with a 500."""


@dataclass
class _Plan:
    operation: str
    times: int
    fault: Fault
    table: str | None = None
    lose_response: bool = False

    def applies(self, operation: str, request: AWSPreparedRequest) -> bool:
        if self.times <= 0 or self.operation != operation:
            return False
        return self.table is None or _payload(request).get("TableName") == self.table


class Faults:
    """Inject faults into one botocore client's calls, first come first served per operation."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.injected: Counter[str] = Counter()
        self.attempts: Counter[str] = Counter()
        self._plans: list[_Plan] = []
        self._chaos: dict[str, tuple[float, list[Fault], random.Random]] = {}
        self._lock = threading.Lock()
        self._http = client._endpoint.http_session  # to really send a request whose answer is lost

    def fail(self, operation: str, times: int, fault: Fault, *, table: str | None = None) -> Faults:
        """Answer the next `times` attempts of `operation` (e.g. "TransactWriteItems") with `fault`,
        only those on `table` if given."""
        with self._lock:
            self._plans.append(_Plan(operation, times, fault, table=table))
        return self

    def chaos(self, operation: str, probability: float, choices: list[Fault], *, seed: int) -> Faults:
        """From now on each attempt of `operation` fails with `probability`, with a fault drawn
        from `choices` (a `lose_response` marker among them applies the request first)."""
        rng = random.Random(seed)  # noqa: S311 - reproducible faults, not cryptography
        with self._lock:
            self._chaos[operation] = (probability, choices, rng)
        return self

    def stop(self) -> None:
        """No more faults: the outage is over."""
        with self._lock:
            self._plans.clear()
            self._chaos.clear()

    def lose_response(self, operation: str, times: int = 1) -> Faults:
        """Apply the next `times` attempts of `operation`, then answer them with a 500."""
        with self._lock:
            self._plans.append(_Plan(operation, times, LOST_RESPONSE, lose_response=True))
        return self

    @property
    def total(self) -> int:
        return sum(self.injected.values())

    def _before_send(self, request: AWSPreparedRequest, event_name: str, **_: Any) -> AWSResponse | None:
        operation = event_name.rsplit(".", 1)[-1]
        with self._lock:
            self.attempts[operation] += 1
            plan = next((p for p in self._plans if p.applies(operation, request)), None)
            if plan is not None:
                plan.times -= 1
                chosen, lose = plan.fault, plan.lose_response
            elif operation in self._chaos:
                probability, choices, rng = self._chaos[operation]
                if rng.random() >= probability:
                    return None
                chosen = rng.choice(choices)
                lose = chosen is LOST_RESPONSE
            else:
                return None
            self.injected[operation] += 1
        if lose:
            self._http.send(request)  # DynamoDB Local applies it; the answer never arrives
        return chosen(request)

    def __enter__(self) -> Faults:
        self.client.meta.events.register("before-send.dynamodb", self._before_send, unique_id=id(self))
        return self

    def __exit__(self, *_: object) -> None:
        self.client.meta.events.unregister("before-send.dynamodb", unique_id=id(self))
