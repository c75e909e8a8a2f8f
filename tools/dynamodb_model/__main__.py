"""`python -m dynamodb_model --upstream URL [--port N]`: the conflict model as its own process."""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading

from dynamodb_model.latency import Latencies
from dynamodb_model.proxy import start_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dynamodb_model", description=__doc__)
    parser.add_argument("--upstream", required=True, help="DynamoDB Local, e.g. http://127.0.0.1:8000")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with start_model(args.upstream, Latencies.from_env(), port=args.port) as model:
        print(f"DynamoDB model: {model.endpoint} -> {args.upstream} ({model.latencies})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
