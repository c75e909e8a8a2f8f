"""Notice edits to the functions' code and layers, so that their warm workers are replaced (like
SAM's warm containers, which restart when the code changes). watchdog (a SAM CLI dependency)
reports the changed .py files from the OS (inotify, FSEvents...), with one watch per top-level
folder of the template's directory that holds code (`functions/`, `layers/`), not one per
function: a watch costs an inotify instance, of which a user has only 128 on Linux."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from watchdog.events import (
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    PatternMatchingEventHandler,
)
from watchdog.observers import Observer

# Reading a file (every import) is not a change: the OS is asked for these events only.
CHANGES = (FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent)


class CodeWatch(PatternMatchingEventHandler):
    """Which functions' code changed since they last asked, from the directories on their import
    path (`FunctionSpec.import_paths`) by function name. Runs until `stop()`."""

    def __init__(self, code: Mapping[str, Iterable[Path]], base_dir: Path) -> None:
        super().__init__(patterns=["*.py"], ignore_directories=True, case_sensitive=True)
        self._code = {name: tuple(path.resolve() for path in paths) for name, paths in code.items()}
        self._changed: set[str] = set()
        self._lock = threading.Lock()
        self._observer = Observer()
        self._observer.daemon = True
        for root in watched_roots((p for paths in self._code.values() for p in paths), base_dir.resolve()):
            self._observer.schedule(self, str(root), recursive=True, event_filter=CHANGES)
        self._observer.start()

    def on_any_event(self, event: FileSystemEvent) -> None:
        touched = [Path(str(p)) for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        with self._lock:
            self._changed.update(
                name
                for name, dirs in self._code.items()
                if any(path.is_relative_to(d) for path in touched for d in dirs)
            )

    def changed(self, name: str) -> bool:
        """Whether the function's code changed since the last call (for this function)."""
        with self._lock:
            if name not in self._changed:
                return False
            self._changed.discard(name)
            return True

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join()


def watched_roots(dirs: Iterable[Path], base_dir: Path) -> set[Path]:
    """The folders to watch for `dirs`: the top-level folder of `base_dir` each is in, or the
    directory itself when it is `base_dir` or outside it."""
    roots = set()
    for path in dirs:
        inside = path.is_relative_to(base_dir) and path != base_dir
        roots.add(base_dir / path.relative_to(base_dir).parts[0] if inside else path)
    return roots
