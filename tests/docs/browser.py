"""Headless Chromium for the docs page test: load a page, let its scripts run, return the DOM.

`tools/bootstrap.sh --browser` (run by `make test`) installs Debian's chromium when none of the
names below is on PATH; CHROMIUM=<path> picks another build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
# Every host name resolves to nothing except the local server's: a page that needed a CDN (or
# any other network) would fail to render, so a rendered page proves it is self-contained.
OFFLINE = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"


def find_chromium() -> str | None:
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return shutil.which(explicit)
    return next((path for name in NAMES if (path := shutil.which(name))), None)


def rendered_dom(chromium: str, url: str, profile_dir: Path, *, budget_ms: int = 15_000) -> str:
    """The DOM of `url` after its scripts ran for up to `budget_ms` of virtual time.

    Virtual time only advances while nothing is loading, so fetches the page makes (Swagger UI
    loads the document) complete within the budget however slow the machine is.
    """
    command = [
        chromium,
        "--headless",
        "--no-sandbox",  # root in a container: the sandbox cannot start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        "--mute-audio",
        f"--host-resolver-rules={OFFLINE}",
        f"--user-data-dir={profile_dir}",
        f"--virtual-time-budget={budget_ms}",
        "--dump-dom",
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    if result.returncode != 0 or not result.stdout.strip():
        raise RuntimeError(f"chromium exited {result.returncode}:\n{result.stderr[-4000:]}")
    return result.stdout
