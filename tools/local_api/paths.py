"""Where things live in the repository."""

from __future__ import annotations

from pathlib import Path

TOOLS_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = TOOLS_DIR.parent
DEFAULT_TEMPLATE = REPO_ROOT / "template.yaml"
NODE_MODULES = TOOLS_DIR / "node_modules"
