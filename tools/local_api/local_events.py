"""The local server's event sources and what they deliver: the DynamoDB stream pollers that
invoke the stream processor, the events published on the buses (moto's EventBridge), the
schedules fired by the dispatcher (moto's Scheduler), and the `/_local/...` routes that show and
steer them:

    GET  /_local/events          published events, as a rule target receives them, in order
    GET  /_local/schedules       the schedules' firings (and retries waiting), the moto endpoint
    POST /_local/schedules/fire  fire every schedule due now; answers the firings of this pass
    GET  /_local/streams         the stream sources and their invocations
    POST /_local/streams/pause   hold stream records back (they queue up in the stream)
    POST /_local/streams/resume
    POST /_local/streams/drain   wait until every change made so far has been processed
                                 (?stall=seconds, default 60): 200, or 504 when no batch went
                                 through for that long
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify, request
from samcli.lib.providers.provider import Function

from local_api.functions import FunctionSpec
from local_api.published_events import PublishedEvents
from local_api.runtime import LocalLambdaRuntime
from local_api.schedule_dispatcher import ScheduleDispatcher
from local_api.streams import StreamPollers, poll_streams, stream_sources

DRAIN_STALL_SECONDS = 60.0  # a drain gives up when no batch went through for this long


@contextmanager
def stream_pollers(
    functions: Iterable[Function],
    runtime: LocalLambdaRuntime,
    specs: Mapping[str, FunctionSpec],
    ddb_endpoint: str,
) -> Iterator[StreamPollers]:
    """Poll the streams the template's functions subscribe to, invoking them through `runtime`."""
    with poll_streams(
        stream_sources(functions, runnable=specs), ddb_endpoint, runtime.invoke_function
    ) as pollers:
        yield pollers


def mount_local_routes(
    app: Flask,
    published: PublishedEvents,
    streams: StreamPollers,
    schedules: ScheduleDispatcher,
    moto_endpoint: str,
) -> None:
    """Add the /_local routes to the API server's Flask app (static paths: API routes win
    nothing from them and lose nothing to them)."""

    def events() -> Response:
        return jsonify({"events": published.events()})

    def schedule_status() -> Response:
        return jsonify({"endpoint": moto_endpoint, **schedules.status()})

    def fire() -> Response:
        return jsonify({"fired": schedules.fire_due()})

    def status() -> Response:
        return jsonify(streams.status())

    def pause() -> Response:
        streams.pause()
        return jsonify(streams.status())

    def resume() -> Response:
        streams.resume()
        return jsonify(streams.status())

    def drain() -> tuple[Response, int]:
        if streams.paused:
            return jsonify({"detail": "The streams are paused"}), HTTPStatus.CONFLICT
        stall = request.args.get("stall", type=float) or DRAIN_STALL_SECONDS
        if streams.drain(stall):
            return jsonify({"drained": True}), HTTPStatus.OK
        return jsonify({"drained": False}), HTTPStatus.GATEWAY_TIMEOUT

    routes: list[tuple[str, str, Any]] = [
        ("/_local/events", "GET", events),
        ("/_local/schedules", "GET", schedule_status),
        ("/_local/schedules/fire", "POST", fire),
        ("/_local/streams", "GET", status),
        ("/_local/streams/pause", "POST", pause),
        ("/_local/streams/resume", "POST", resume),
        ("/_local/streams/drain", "POST", drain),
    ]
    for path, method, view in routes:
        app.add_url_rule(path, endpoint=f"_local_{view.__name__}", view_func=view, methods=[method])
