"""The server's output, readable: everything written to its stderr (its own log, DynamoDB
Local's, and the workers', whose stdout and stderr are the server's fd 2) passes through one
line filter, which drops the functions' CloudWatch metrics documents (EMF JSON lines, which
nothing reads locally; LOCAL_METRICS=1 keeps them) and, when stderr is not a terminal, ANSI
colour codes. Anything the filter cannot handle passes through unchanged."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

EMF_LINE = re.compile(rb'^\{"_aws":\s*\{')
ANSI_CODE = re.compile(rb"\x1b\[[0-9;]*m")
STDERR_FD = 2
CHUNK = 1 << 16
JOIN_SECONDS = 2.0


def is_metrics_document(line: bytes) -> bool:
    """A whole EMF document. Workers share the fd, so a line may hold the start of one and
    another process's line: that is not one document, and is kept."""
    if not EMF_LINE.match(line):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def filter_line(line: bytes, *, metrics: bool = False, colour: bool = False) -> bytes | None:
    """The line as shown, or None to drop it (a metrics document; an empty line, which is also
    what is left of a document's line when another process wrote in between)."""
    if not line.strip() or (not metrics and is_metrics_document(line)):
        return None
    return line if colour else ANSI_CODE.sub(b"", line)


def _pump(read_fd: int, write_fd: int, *, metrics: bool, colour: bool) -> None:
    pending = b""
    with contextlib.suppress(OSError):
        while chunk := os.read(read_fd, CHUNK):
            *lines, pending = (pending + chunk).split(b"\n")
            shown = [
                kept
                for line in lines
                if (kept := filter_line(line, metrics=metrics, colour=colour)) is not None
            ]
            if shown:
                os.write(write_fd, b"\n".join(shown) + b"\n")
        if pending:
            os.write(write_fd, pending)
    os.close(read_fd)


@contextmanager
def filtered_stderr(*, metrics: bool = False, colour: bool | None = None) -> Iterator[None]:
    """Filter fd 2 while the block runs (and for the processes it starts, while they live)."""
    sys.stderr.flush()
    original = os.dup(STDERR_FD)
    colour = os.isatty(original) if colour is None else colour
    read_fd, write_fd = os.pipe()
    os.dup2(write_fd, STDERR_FD)
    os.close(write_fd)
    pump = threading.Thread(
        target=_pump, args=(read_fd, original), kwargs={"metrics": metrics, "colour": colour}, daemon=True
    )
    pump.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(original, STDERR_FD)  # the pipe ends when the children holding it have exited
        pump.join(JOIN_SECONDS)
        if not pump.is_alive():
            os.close(original)
