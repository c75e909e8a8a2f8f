"""One cold start, in a fresh interpreter: run by `bench.coldstart`, never imported by it.

    python -S -P bench/coldstart_child.py '<json spec>'

Stdlib only, and as little of it as possible, so that what this script imports is not charged to
the function. The spec says what to do:

- `"mode": "function"`: import `app` from the function's code directory (its layers follow on
  `sys.path`, as /var/task then /opt/python on Lambda), then call `app.lambda_handler` once
  with the event sample, as the Lambda runtime does on a cold start.
- `"mode": "floor"`: `import boto3; boto3.client("dynamodb")`, and with `"call"` one GetItem;
  with `"resolver"` also Powertools' `APIGatewayRestResolver(enable_validation=True)`, the
  least a function built like ours (Powertools routing, pydantic validation) can import.

`"import_only"` stops after the import (for `python -X importtime`, see `bench.importtime`).
`"paths"` go first on `sys.path`: the function's code, its layers and, run with `-S` (no
site-packages), a directory holding only what Lambda's runtime and the layer ship
(`bench.runtime_packages`), so that the floor and the functions import what they would on Lambda.
The measurements (seconds since this script started) go to `"result"` as JSON; the handler's
own output (logs, EMF metrics) goes to stdout, as on Lambda.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402 - after the clock starts; botocore imports it anyway
import sys  # noqa: E402

Spec = dict[str, object]


def function(spec: Spec) -> Spec:
    import importlib
    import runpy

    # tools/local_api/lambda_context.py, run by its path (the import path is the function's)
    context = runpy.run_path(str(spec["context"]))["LambdaContext"](
        str(spec["name"]), "bench-cold-start", log_stream_name="bench"
    )
    module = importlib.import_module("app")
    imported = time.perf_counter()
    if spec.get("import_only"):
        return {"init_s": imported - STARTED, "first_request_s": 0.0, "status": 0, "uses_dynamodb": False}
    with open(str(spec["event"]), encoding="utf-8") as file:
        event = json.load(file)
    answer = module.lambda_handler(event, context)
    served = time.perf_counter()
    return {
        "init_s": imported - STARTED,
        "first_request_s": served - imported,
        # An API function answers a proxy response; any other kind, whatever it returns.
        "status": answer.get("statusCode", 200) if isinstance(answer, dict) else 200,
        "uses_dynamodb": "event_core.store.client" in sys.modules,
    }


def floor(spec: Spec) -> Spec:
    import boto3

    client = boto3.client("dynamodb")
    created = time.perf_counter()
    status = 200
    call = spec.get("call")
    if isinstance(call, dict):
        response = client.get_item(**call)
        status = response["ResponseMetadata"]["HTTPStatusCode"]
    if spec.get("resolver"):
        from aws_lambda_powertools.event_handler import APIGatewayRestResolver

        APIGatewayRestResolver(enable_validation=True)
    called = time.perf_counter()
    return {
        "init_s": created - STARTED,
        "first_request_s": called - created,
        "status": status,
        "uses_dynamodb": bool(spec.get("call")),
    }


def peak_rss_kb() -> int:
    """This process's peak resident set (VmHWM): unlike getrusage's maxrss, not inherited
    from the parent that forked it."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main() -> None:
    spec = json.loads(sys.argv[1])
    sys.path[:0] = list(spec["paths"])
    measured = function(spec) if spec["mode"] == "function" else floor(spec)
    measured["total_s"] = time.perf_counter() - STARTED
    measured["peak_rss_kb"] = peak_rss_kb()
    with open(str(spec["result"]), "w", encoding="utf-8") as file:
        json.dump(measured, file)


if __name__ == "__main__":
    main()
