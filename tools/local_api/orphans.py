"""Child processes that do not outlive their parent (Linux), so a killed server or test run
leaves no DynamoDB Local holding its port."""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` asking the kernel to SIGTERM the child when the spawning thread ends.

    Use it from the main thread (a process's lifetime), before other threads start where
    possible. None where the kernel has no such feature.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here, not in the forked child

    def set_parent_death_signal() -> None:
        prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))

    return set_parent_death_signal


def terminate(process: subprocess.Popen[bytes], timeout: float) -> int:
    """Ask a child to stop (SIGTERM), kill it if it is still running after `timeout`."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
