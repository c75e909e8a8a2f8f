"""Which items the operations in flight hold, and whether a new operation may start."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from dynamodb_model.kinds import Kind, conflicts

ItemKey = tuple[str, str]  # (table name, canonical JSON of the key attributes)


@dataclass(frozen=True, slots=True)
class Hold:
    kind: Kind
    keys: tuple[ItemKey, ...]


class InFlight:
    """The items held by operations in flight. Thread-safe.

    `begin` either holds every item of the operation (no conflict) or none of them and reports
    which of its items conflicted, in request order; `end` releases a hold.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[ItemKey, Counter[Kind]] = {}
        self._holds = 0

    def begin(self, kind: Kind, keys: Sequence[ItemKey]) -> Hold | list[int]:
        with self._lock:
            clashing = [
                index
                for index, item in enumerate(keys)
                if any(conflicts(kind, ongoing) for ongoing in self._held.get(item, ()))
            ]
            if clashing:
                return clashing
            for item in keys:
                self._held.setdefault(item, Counter())[kind] += 1
            self._holds += 1
            return Hold(kind, tuple(keys))

    def end(self, hold: Hold) -> None:
        with self._lock:
            for item in hold.keys:
                kinds = self._held[item]
                kinds[hold.kind] -= 1
                if kinds[hold.kind] <= 0:
                    del kinds[hold.kind]
                if not kinds:
                    del self._held[item]
            self._holds -= 1

    def count(self) -> int:
        """How many operations hold items right now."""
        with self._lock:
            return self._holds
