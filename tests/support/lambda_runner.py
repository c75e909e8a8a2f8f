"""Load a function's app.py the way the Lambda runtime does and call its handler with an event."""

from __future__ import annotations

import copy
import importlib.util
import itertools
import json
import os
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from event_core.settings import get_settings
from local_api.lambda_context import LambdaContext
from local_api.paths import REPO_ROOT

FUNCTIONS_DIR = REPO_ROOT / "functions"
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

_modules: dict[tuple[str, str | None], ModuleType] = {}
_counter = itertools.count()


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
    context = LambdaContext(name, f"req-{next(_counter)}")
    return handler(copy.deepcopy(event), context)


def invoke(name: str, event: dict[str, Any]) -> Answer:
    """Call an API function's lambda_handler with a proxy event; its proxy response, decoded."""
    raw = invoke_raw(name, event)
    headers = {k.lower(): v for k, v in (raw.get("headers") or {}).items()}
    for key, values in (raw.get("multiValueHeaders") or {}).items():
        headers[key.lower()] = ",".join(values)
    body = raw.get("body")
    return Answer(status=raw["statusCode"], headers=headers, body=json.loads(body) if body else None, raw=raw)
