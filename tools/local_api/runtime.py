"""The `lambda_runner` that SAM CLI's LocalApigwService invokes, backed by warm worker pools.

It stands in for `samcli.commands.local.lib.local_lambda.LocalLambdaRunner`, implementing the
two methods the API Gateway service calls: `is_debugging()` and
`invoke(name, event, stdout=..., stderr=..., tenant_id=...)`, which writes the function's JSON
answer to `stdout` (a SAM StreamWriter) for the service to turn into an HTTP response.
"""

from __future__ import annotations

import functools
import json
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from samcli.lib.utils.stream_writer import StreamWriter
from samcli.local.lambdafn.exceptions import FunctionNotFound

from local_api.functions import FunctionSpec
from local_api.pool import WorkerPool
from local_api.process import Reply
from local_api.reload import CodeWatch

DEFAULT_MAX_WORKERS = 10


class LocalLambdaRuntime:
    def __init__(
        self,
        specs: Mapping[str, FunctionSpec],
        *,
        max_workers: int = DEFAULT_MAX_WORKERS,
        reload_from: Path | None = None,
    ) -> None:
        """`reload_from`: the template's directory, to replace a function's warm workers when its
        code or layers change on disk (None: keep them)."""
        self._specs = dict(specs)
        self._max_workers = max_workers
        code = {name: spec.import_paths for name, spec in self._specs.items()}
        self._watch = CodeWatch(code, reload_from) if reload_from is not None else None
        self._pools: dict[str, WorkerPool] = {}
        self._lock = threading.Lock()
        self._closed = False

    # -- the LocalLambdaRunner interface used by LocalApigwService --------------------------

    def is_debugging(self) -> bool:
        return False

    def invoke(
        self,
        function_identifier: str,
        event: str,
        tenant_id: str | None = None,
        stdout: StreamWriter | None = None,
        stderr: StreamWriter | None = None,
        **_ignored: Any,
    ) -> None:
        reply = self.invoke_function(function_identifier, json.loads(event))
        if stdout is not None:
            stdout.write_str(reply.body)

    # -- direct use --------------------------------------------------------------------------

    def invoke_function(self, name: str, event: Any) -> Reply:
        return self.pool(name).invoke(event, str(uuid.uuid4()))

    def pool(self, name: str) -> WorkerPool:
        with self._lock:
            if self._closed:
                raise RuntimeError("the local Lambda runtime is closed")
            if name not in self._pools:
                spec = self._specs.get(name)
                if spec is None:
                    raise FunctionNotFound(f"Unable to find a Function with name '{name}'")
                changed = functools.partial(self._watch.changed, name) if self._watch else None
                self._pools[name] = WorkerPool(spec, self._max_workers, code_changed=changed)
            return self._pools[name]

    def prewarm(self) -> None:
        """A warm worker for every function, one import after another (in the caller's thread,
        so that the first request of each route does not pay for its import)."""
        for name in sorted(self._specs):
            try:
                self.pool(name).prewarm()
            except RuntimeError:  # the server stopped meanwhile (PoolClosed too)
                return

    def close(self) -> None:
        """Every pool shut first, then the workers waited for: they all exit at the same time
        (one by one, a hundred warm workers took longer than the server is given to stop)."""
        if self._watch is not None:
            self._watch.stop()
        with self._lock:
            if self._closed:
                return
            self._closed = True
            pools, self._pools = list(self._pools.values()), {}
        exiting = [worker for pool in pools for worker in pool.shut()]
        for worker in exiting:
            worker.stop()

    def __enter__(self) -> LocalLambdaRuntime:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
