"""Where things live in the repository, and the import paths the benchmark needs."""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO_ROOT / "bench"
FUNCTIONS_DIR = REPO_ROOT / "functions"
EVENTS_DIR = REPO_ROOT / "events"
SEED_FILE = EVENTS_DIR / "seed" / "sample-data.json"
LAYER_DIR = REPO_ROOT / "layers" / "event_core"
LAYER_REQUIREMENTS = LAYER_DIR / "requirements.txt"
TOOLS_DIR = REPO_ROOT / "tools"
TEMPLATE = REPO_ROOT / "template.yaml"
COLD_START_CHILD = BENCH_DIR / "coldstart_child.py"
LAMBDA_CONTEXT_FILE = TOOLS_DIR / "local_api" / "lambda_context.py"


def add_import_paths() -> None:
    """The layer (event_core) and tools/ (local_api), as `make` and pytest put them on the path."""
    for path in (LAYER_DIR, TOOLS_DIR):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
