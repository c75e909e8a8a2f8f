"""Local API Gateway + Lambda emulation without Docker: SAM CLI's API Gateway service in front
of warm Python worker processes, and DynamoDB Local with the template's tables.

Programmatic use (tests, scripts)::

    with start_dynamodb_local(free_port()) as ddb:
        create_tables(ddb.endpoint, DEFAULT_TEMPLATE)
        with serve_in_background(free_port(), ddb.endpoint) as server:
            requests.get(f"{server.url}/health")

Submodules import SAM CLI lazily from here, so `import local_api` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from local_api.net import free_port
from local_api.paths import DEFAULT_TEMPLATE

if TYPE_CHECKING:
    from local_api.background import ServerHandle, serve_in_background
    from local_api.dynamodb_local import DynamoDBLocal, start_dynamodb_local
    from local_api.tables import create_tables

__all__ = [
    "DEFAULT_TEMPLATE",
    "DynamoDBLocal",
    "ServerHandle",
    "create_tables",
    "free_port",
    "serve_in_background",
    "start_dynamodb_local",
]

_LAZY = {
    "ServerHandle": "local_api.background",
    "serve_in_background": "local_api.background",
    "DynamoDBLocal": "local_api.dynamodb_local",
    "start_dynamodb_local": "local_api.dynamodb_local",
    "create_tables": "local_api.tables",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'local_api' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)
