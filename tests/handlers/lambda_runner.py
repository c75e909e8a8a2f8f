"""Load a function's app.py the way the Lambda runtime does and call its handler with an event."""

from __future__ import annotations

import copy
import importlib.util
import itertools
import json
import os
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from event_core.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = ROOT / "functions"
EVENTS_DIR = ROOT / "events"
SEED_FILE = EVENTS_DIR / "seed" / "sample-data.json"
# The functions that read DynamoDB streams, or are invoked by a schedule, instead of serving API
# Gateway. admission has a stream event sample (events/admission.json, STREAM_SAMPLES);
# stream_processor's records are built by tests/domain_events; expire_offer's sample is the
# input of an offer's schedule (events/expire_offer.json, SCHEDULE_SAMPLES).
NON_API_FUNCTIONS = frozenset({"stream_processor", "admission", "expire_offer"})
STREAM_SAMPLES = ("admission",)
SCHEDULE_SAMPLES = ("expire_offer",)
# The functions behind API Gateway: a proxy event sample each.
FUNCTION_NAMES = sorted(
    p.name for p in FUNCTIONS_DIR.iterdir() if (p / "app.py").is_file() and p.name not in NON_API_FUNCTIONS
)
ORIGIN = "http://localhost:3000"

_KEEP: Any = object()
_modules: dict[tuple[str, str | None], ModuleType] = {}
_counter = itertools.count()


@dataclass
class LambdaContext:
    """The attributes of the Python runtime's context object that Powertools reads."""

    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"
    invoked_function_arn: str = field(init=False)

    def __post_init__(self) -> None:
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


@dataclass
class Answer:
    """A proxy integration response, decoded: headers lower-cased, body parsed as JSON."""

    status: int
    headers: dict[str, str]
    body: Any
    raw: dict[str, Any]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def load_function(name: str) -> ModuleType:
    """functions/<name>/app.py as a fresh module under a unique name (once per CORS setting).

    The resolver reads ALLOWED_ORIGINS when the module is imported, as on a Lambda cold start.
    """
    key = (name, os.environ.get("ALLOWED_ORIGINS"))
    if key not in _modules:
        get_settings.cache_clear()
        module_name = f"handler_under_test_{name}_{next(_counter)}"
        spec = importlib.util.spec_from_file_location(module_name, FUNCTIONS_DIR / name / "app.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        _modules[key] = module
    return _modules[key]


def invoke_raw(name: str, event: dict[str, Any]) -> Any:
    """Call functions/<name>'s lambda_handler with the event, as `sam local invoke` would, and
    return what it returns (a stream consumer's answer, say)."""
    handler = load_function(name).lambda_handler
    context = LambdaContext(function_name=name, aws_request_id=f"req-{next(_counter)}")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        return handler(copy.deepcopy(event), context)


def invoke(name: str, event: dict[str, Any]) -> Answer:
    """Call an API function's lambda_handler with a proxy event; its proxy response, decoded."""
    raw = invoke_raw(name, event)
    headers = {k.lower(): v for k, v in (raw.get("headers") or {}).items()}
    for key, values in (raw.get("multiValueHeaders") or {}).items():
        headers[key.lower()] = ",".join(values)
    body = raw.get("body")
    return Answer(status=raw["statusCode"], headers=headers, body=json.loads(body) if body else None, raw=raw)


def load_sample(name: str) -> dict[str, Any]:
    return json.loads((EVENTS_DIR / f"{name}.json").read_text())


def sample(
    name: str,
    *,
    path_params: dict[str, str] | None = None,
    query: dict[str, str] | None = _KEEP,
    body: Any = _KEEP,
    raw_body: str | None = _KEEP,
    headers: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """events/<name>.json with some parts replaced, keeping the event self-consistent.

    path_params are merged into pathParameters and path; query replaces the query string;
    body is JSON-encoded (raw_body is sent as is); headers are merged (None removes one).
    """
    event = load_sample(name)
    if path_params:
        params = {**(event["pathParameters"] or {}), **path_params}
        path = event["resource"]
        for key, value in params.items():
            path = path.replace("{" + key + "}", value)
        event["pathParameters"] = params
        event["path"] = path
        event["requestContext"]["path"] = f"/{event['requestContext']['stage']}{path}"
    if query is not _KEEP:
        event["queryStringParameters"] = query or None
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} if query else None
    if body is not _KEEP:
        event["body"] = json.dumps(body)
    if raw_body is not _KEEP:
        event["body"] = raw_body
    for key, value in (headers or {}).items():
        for existing in [k for k in event["headers"] if k.lower() == key.lower()]:
            del event["headers"][existing]
            del event["multiValueHeaders"][existing]
        if value is not None:
            event["headers"][key] = value
            event["multiValueHeaders"][key] = [value]
    return event
