"""Where things live in the repository."""

from __future__ import annotations

from pathlib import Path

TOOLS_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = TOOLS_DIR.parent
DEFAULT_TEMPLATE = REPO_ROOT / "template.yaml"
NODE_MODULES = TOOLS_DIR / "node_modules"
EVENTS_DIR = REPO_ROOT / "events"
SEED_FILE = EVENTS_DIR / "seed" / "sample-data.json"
# Local state, ignored by git: the persistent database (PERSIST=1), the generated env file.
LOCAL_DIR = REPO_ROOT / ".local"
PERSIST_DIR = LOCAL_DIR / "dynamodb"
SAM_ENV_FILE = LOCAL_DIR / "env.local.json"
COMMITTED_ENV_FILE = REPO_ROOT / "env.local.json"
