"""Opaque, signed page cursors: clients can pass them back but cannot forge or edit them.

A token is the cursor's JSON signed with the page token key (event_core.page_token_key) and
bound to one listing by its scope. Decoding checks the signature, then validates the JSON as
the listing's cursor type (event_core.models.page_cursors): a token signed with a leaked or
public key still cannot carry anything but a well-formed position in its own listing. Anything
else is InvalidPageToken (400), never an error further in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from event_core.errors import InvalidPageToken
from event_core.page_token_key import page_token_key

_MAX_TOKEN_LENGTH = 4096

CursorT = TypeVar("CursorT", bound=BaseModel)


def _signature(scope: str, payload: bytes) -> bytes:
    message = scope.encode() + b"\x00" + payload
    return hmac.new(page_token_key(), message, hashlib.sha256).digest()[:16]


def encode_token(scope: str, cursor: BaseModel) -> str:
    """Wrap the cursor a listing resumes from; scope binds it to that listing."""
    payload = json.dumps(cursor.model_dump(mode="json"), separators=(",", ":"), sort_keys=True).encode()
    raw = _signature(scope, payload) + payload
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(scope: str, token: str | None, cursor: type[CursorT]) -> CursorT | None:
    """The cursor of a token made by encode_token for this scope, or raise InvalidPageToken."""
    if token is None:
        return None
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        raise InvalidPageToken()
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        signature, payload = raw[:16], raw[16:]
        if not hmac.compare_digest(signature, _signature(scope, payload)):
            raise InvalidPageToken()
        return cursor.model_validate(json.loads(payload))
    except (ValueError, TypeError, RecursionError, ValidationError):  # RecursionError: [[[... (3.11)
        raise InvalidPageToken() from None
