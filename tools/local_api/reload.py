"""Notice edits to a function's code or layers, so warm workers can be replaced (like SAM's
warm containers, which restart when the code changes)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path

Fingerprint = tuple[int, int]


def fingerprint(dirs: Iterable[Path]) -> Fingerprint:
    """(newest mtime, number of files) of the .py files under `dirs`."""
    newest, count = 0, 0
    for root in dirs:
        for current, subdirs, files in os.walk(root):
            subdirs[:] = [d for d in subdirs if d != "__pycache__" and not d.startswith(".")]
            for name in files:
                if name.endswith(".py"):
                    newest = max(newest, os.stat(os.path.join(current, name)).st_mtime_ns)
                    count += 1
    return newest, count


class CodeWatch:
    """Answers "did the code change since last asked?", looking at the disk at most every
    `interval` seconds."""

    def __init__(self, dirs: Iterable[Path], interval: float = 1.0) -> None:
        self._dirs = tuple(dirs)
        self._interval = interval
        self._lock = threading.Lock()
        self._checked_at = time.monotonic()
        self._last = fingerprint(self._dirs)

    def changed(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now - self._checked_at < self._interval:
                return False
            self._checked_at = now
            current = fingerprint(self._dirs)
            changed, self._last = current != self._last, current
            return changed
