"""The `--env-vars` file of `sam local` (Docker), pointing the functions at DynamoDB Local on the
host's DYNAMODB_PORT. env.local.json (committed) is the one for the default port, 8000;
`make dynamodb` writes .local/env.local.json for the port it uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from local_api.paths import COMMITTED_ENV_FILE, SAM_ENV_FILE

DOCKER_HOST = "host.docker.internal"  # the host, as a container sees it


def sam_env_vars(dynamodb_port: int, base: Path = COMMITTED_ENV_FILE) -> dict[str, Any]:
    """`base` with DYNAMODB_ENDPOINT on `dynamodb_port`."""
    env: dict[str, Any] = json.loads(base.read_text())
    env["Parameters"]["DYNAMODB_ENDPOINT"] = f"http://{DOCKER_HOST}:{dynamodb_port}"
    return env


def write_sam_env(dynamodb_port: int, path: Path = SAM_ENV_FILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(sam_env_vars(dynamodb_port), indent=2) + "\n")
    return path
