"""The HTTP proxy: DynamoDB's endpoint in front of DynamoDB Local, with the conflict model applied.

Every request is parsed for its kind and items (`operations`). Reads and control-plane calls pass
straight through. A write or transactional read first holds its items (`inflight`): if another
operation in flight holds one of them in a conflicting way, the answer is DynamoDB's conflict
error, after the time the service takes to find it; otherwise the request is forwarded, and the
items stay held until the operation's modeled latency has passed.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.client import HTTPConnection, HTTPException
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from dynamodb_model import errors
from dynamodb_model.inflight import Hold, InFlight
from dynamodb_model.kinds import Kind
from dynamodb_model.latency import Latencies
from dynamodb_model.operations import SCHEMA_CHANGES, KeySchemas, Operation, parse
from dynamodb_model.stats import Stats

STATS_PATH = "/_model/stats"
_PASSED_HEADERS = ("content-type", "x-amzn-requestid", "x-amz-crc32")
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "host"})

Answer = tuple[int, dict[str, str], bytes]


class ModelProxy:
    """A running model proxy. Use as a context manager or call `stop()`."""

    def __init__(self, upstream: str, latencies: Latencies, host: str = "127.0.0.1", port: int = 0) -> None:
        parts = urlsplit(upstream)
        self.upstream = upstream
        self._upstream_address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.latencies = latencies
        self.inflight = InFlight()
        self.stats = Stats()
        self.schemas = KeySchemas(self._describe)
        self._connections = threading.local()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="dynamodb-model", daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ModelProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ModelProxy:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- requests ---------------------------------------------------------------------------

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> Answer:
        target = headers.get("x-amz-target", "")
        name = target.rsplit(".", 1)[-1]
        if not target:
            return self.forward("POST", path, headers, body)
        if name in SCHEMA_CHANGES:
            self.schemas.forget()
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = {}
        operation = parse(name, request if isinstance(request, dict) else {}, self.schemas)
        started = time.monotonic()
        if operation.kind in (Kind.READ, Kind.OTHER) or not operation.keys:
            answer = self.forward("POST", path, headers, body)
            self._wait_until(started + self.latencies.of(operation.kind))
            self.stats.record(operation, rejected=False)
            return answer
        hold = self.inflight.begin(operation.kind, operation.keys)
        if not isinstance(hold, Hold):
            self._wait_until(started + self.latencies.of_rejection())
            self.stats.record(operation, rejected=True)
            return self._conflict(operation, hold)
        try:  # commit at the end of the modeled latency: until then readers see the old item
            self._wait_until(started + self.latencies.of(operation.kind))
            answer = self.forward("POST", path, headers, body)
        finally:
            self.inflight.end(hold)
        self.stats.record(operation, rejected=False)
        return answer

    @staticmethod
    def _conflict(operation: Operation, conflicting: list[int]) -> Answer:
        if operation.kind in (Kind.TRANSACT_WRITE, Kind.TRANSACT_GET):
            body = errors.transaction_cancelled(len(operation.keys), conflicting)
        else:
            body = errors.transaction_conflict()
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": str(uuid.uuid4())}
        return 400, headers, body

    @staticmethod
    def _wait_until(deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)

    def forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        outgoing = {name: value for name, value in headers.items() if name not in _HOP_BY_HOP}
        outgoing["Content-Length"] = str(len(body))
        for attempt in range(2):  # a kept-alive connection the upstream closed: reconnect once
            connection = self._connection(fresh=attempt > 0)
            try:
                connection.request(method, path, body=body, headers=outgoing)
                response = connection.getresponse()
                data = response.read()
            except (OSError, HTTPException):
                if attempt:
                    raise
                continue
            passed = {name: value for name, value in response.getheaders() if name.lower() in _PASSED_HEADERS}
            return response.status, passed, data
        raise AssertionError("unreachable")

    def _connection(self, *, fresh: bool) -> HTTPConnection:
        connection: HTTPConnection | None = getattr(self._connections, "value", None)
        if connection is None or fresh:
            if connection is not None:
                connection.close()
            connection = HTTPConnection(*self._upstream_address, timeout=30)
            self._connections.value = connection
        return connection

    def _describe(self, table: str) -> list[str]:
        body = json.dumps({"TableName": table}).encode()
        headers = {
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": "DynamoDB_20120810.DescribeTable",
            # DynamoDB Local reads the credential scope, it does not verify the signature.
            "authorization": "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=0",
        }
        status, _, data = self.forward("POST", "/", headers, body)
        if status != 200:
            return []
        schema: list[dict[str, Any]] = json.loads(data)["Table"]["KeySchema"]
        return [element["AttributeName"] for element in schema]


def _handler_for(model: ModelProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            self._send(*model.answer(self.path, headers, body))

        def do_GET(self) -> None:
            if self.path == STATS_PATH:
                data = json.dumps(model.stats.snapshot().as_dict()).encode()
                self._send(200, {"Content-Type": "application/json"}, data)
                return
            headers = {name.lower(): value for name, value in self.headers.items()}
            self._send(*model.forward("GET", self.path, headers, b""))

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def start_model(
    upstream: str, latencies: Latencies | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> ModelProxy:
    """Start the proxy on `host:port` (0: any free port) in a background thread."""
    return ModelProxy(upstream, latencies or Latencies.from_env(), host, port).start()
