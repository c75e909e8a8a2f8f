"""Warm workers of one function, like `sam local start-api --warm-containers LAZY`.

Workers start on demand and stay warm. A worker serves one invocation at a time, so concurrent
requests run in separate processes; past `max_workers` they wait for a worker to free up.
When the code on disk changes, idle workers are replaced and busy ones retire after their
current invocation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from local_api.functions import FunctionSpec
from local_api.process import Reply, WorkerProcess


class PoolClosed(RuntimeError):
    pass


class WorkerPool:
    def __init__(
        self,
        spec: FunctionSpec,
        max_workers: int,
        spawn: Callable[[FunctionSpec], WorkerProcess] = WorkerProcess,
        code_changed: Callable[[], bool] | None = None,
    ) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.spec = spec
        self._max = max_workers
        self._spawn = spawn
        self._code_changed = code_changed
        self._cond = threading.Condition()
        self._idle: list[WorkerProcess] = []
        self._busy: set[WorkerProcess] = set()
        self._starting = 0
        self._stale: set[WorkerProcess] = set()
        self._closed = False

    @property
    def size(self) -> int:
        """Workers alive or starting."""
        with self._cond:
            return len(self._idle) + len(self._busy) + self._starting

    def prewarm(self) -> None:
        """Start one worker (its import) before the first invocation needs it, and keep it idle;
        nothing if the pool already has one, or a request got there first."""
        with self._cond:
            if self._closed or self._idle or self._busy or self._starting:
                return
            self._starting += 1
        self._release(self._start_worker(), reusable=True)

    def invoke(self, event: Any, request_id: str) -> Reply:
        worker = self._acquire()
        reply: Reply | None = None
        try:
            reply = worker.invoke(event, request_id)
            return reply
        finally:
            self._release(worker, reusable=reply is not None and reply.worker_usable)

    def _acquire(self) -> WorkerProcess:
        for old in self._retire_if_code_changed():
            old.stop()
        with self._cond:
            while True:
                if self._closed:
                    raise PoolClosed(self.spec.name)
                if self._idle:
                    worker = self._idle.pop()  # the most recently used: the warmest
                    self._busy.add(worker)
                    return worker
                if len(self._busy) + self._starting < self._max:
                    self._starting += 1
                    break
                self._cond.wait()
        return self._start_worker()

    def _start_worker(self) -> WorkerProcess:
        try:
            worker = self._spawn(self.spec)
        except BaseException:
            with self._cond:
                self._starting -= 1
                self._cond.notify()
            raise
        with self._cond:
            self._starting -= 1
            self._busy.add(worker)
        return worker

    def _release(self, worker: WorkerProcess, *, reusable: bool) -> None:
        with self._cond:
            self._busy.discard(worker)
            keep = reusable and not self._closed and worker not in self._stale
            self._stale.discard(worker)
            if keep:
                self._idle.append(worker)
            self._cond.notify()
        if not keep:
            worker.stop()

    def _retire_if_code_changed(self) -> list[WorkerProcess]:
        if self._code_changed is None or not self._code_changed():
            return []
        with self._cond:
            retired, self._idle = self._idle, []
            self._stale |= self._busy
        return retired

    def shut(self) -> list[WorkerProcess]:
        """Take no more invocations, kill busy workers (the server is going away) and ask the
        idle ones to exit; returns those, for the caller to `stop()` once every pool is shut."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            busy = list(self._busy)
            self._cond.notify_all()
        for worker in busy:
            worker.kill()
        for worker in idle:
            worker.ask_to_exit()
        return idle

    def close(self) -> None:
        """Shut the pool and wait for its idle workers to exit (they exit at the same time)."""
        for worker in self.shut():
            worker.stop()
