"""Opaque, signed page cursors: clients can pass them back but cannot forge or edit them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from event_core.errors import InvalidPageToken
from event_core.settings import get_settings

_MAX_TOKEN_LENGTH = 4096


def _signature(scope: str, payload: bytes) -> bytes:
    message = scope.encode() + b"\x00" + payload
    return hmac.new(get_settings().page_token_secret, message, hashlib.sha256).digest()[:16]


def encode_token(scope: str, state: dict[str, Any]) -> str:
    """Wrap the state needed to resume a listing; scope binds it to one listing."""
    payload = json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
    raw = _signature(scope, payload) + payload
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(scope: str, token: str | None) -> dict[str, Any] | None:
    """Return the state of a token made by encode_token for this scope, or raise InvalidPageToken."""
    if token is None:
        return None
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        raise InvalidPageToken()
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        signature, payload = raw[:16], raw[16:]
        if not hmac.compare_digest(signature, _signature(scope, payload)):
            raise InvalidPageToken()
        state = json.loads(payload)
    except (ValueError, TypeError):
        raise InvalidPageToken() from None
    if not isinstance(state, dict):
        raise InvalidPageToken()
    return state
