"""Domain events in the local server: the EventBridge stand-in the functions publish to, the
DynamoDB stream pollers that invoke the stream processor, and the `/_local/...` routes that show
and steer them:

    GET  /_local/events          published events, as a rule target receives them, in order;
                                 plus the entries refused by armed faults
    POST /_local/events/faults   {"faults": [{"match": {...}, "times": 1}]}: refuse matching
                                 PutEvents entries (a partial PutEvents failure), for tests
    DELETE /_local/events/faults disarm the faults not used up
    GET  /_local/streams         the stream sources and their invocations
    POST /_local/streams/pause   hold stream records back (they queue up in the stream)
    POST /_local/streams/resume
    POST /_local/streams/drain   wait until every change made so far has been processed
                                 (?timeout=seconds, default 30): 200, or 504 when it timed out
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify, request
from samcli.lib.providers.provider import Function, Stack

from local_api.eventbus import ENDPOINT_VARIABLE, Fault, LocalEventBus, template_buses
from local_api.functions import FunctionSpec
from local_api.runtime import LocalLambdaRuntime
from local_api.streams import StreamPollers, poll_streams, stream_sources

DRAIN_TIMEOUT_SECONDS = 30.0


def event_bus(stacks: list[Stack]) -> LocalEventBus:
    """A bus that accepts events for the template's buses (and the default bus)."""
    return LocalEventBus(buses=template_buses(stacks[0].resources if stacks else {}))


def with_event_bus(specs: Mapping[str, FunctionSpec], endpoint: str) -> dict[str, FunctionSpec]:
    """Point every function's EventBridge client at the local bus (botocore reads the variable)."""
    return {
        name: dataclasses.replace(spec, environment={**spec.environment, ENDPOINT_VARIABLE: endpoint})
        for name, spec in specs.items()
    }


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


def mount_local_routes(app: Flask, bus: LocalEventBus, streams: StreamPollers) -> None:
    """Add the /_local routes to the API server's Flask app (static paths: API routes win
    nothing from them and lose nothing to them)."""

    def events() -> Response:
        return jsonify({"events": bus.events(), "refused": bus.refused()})

    def arm() -> tuple[Response, int]:
        body = request.get_json(silent=True)
        try:
            if not isinstance(body, dict) or not isinstance(body.get("faults"), list):
                raise ValueError('expected {"faults": [...]}')
            faults = [Fault.from_json(f) for f in body["faults"]]
        except (ValueError, TypeError, AttributeError) as error:
            return jsonify({"detail": str(error)}), HTTPStatus.BAD_REQUEST
        bus.arm(faults)
        return jsonify({"armed": len(faults)}), HTTPStatus.CREATED

    def disarm() -> Response:
        left = bus.disarm()
        return jsonify({"disarmed": [dataclasses.asdict(f) for f in left]})

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
        timeout = request.args.get("timeout", type=float) or DRAIN_TIMEOUT_SECONDS
        if streams.drain(timeout):
            return jsonify({"drained": True}), HTTPStatus.OK
        return jsonify({"drained": False}), HTTPStatus.GATEWAY_TIMEOUT

    routes: list[tuple[str, str, Any]] = [
        ("/_local/events", "GET", events),
        ("/_local/events/faults", "POST", arm),
        ("/_local/events/faults", "DELETE", disarm),
        ("/_local/streams", "GET", status),
        ("/_local/streams/pause", "POST", pause),
        ("/_local/streams/resume", "POST", resume),
        ("/_local/streams/drain", "POST", drain),
    ]
    for path, method, view in routes:
        app.add_url_rule(path, endpoint=f"_local_{view.__name__}", view_func=view, methods=[method])
