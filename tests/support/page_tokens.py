"""Page tokens as an attacker who knows the key would make them: any payload, validly signed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

# The page token key the tests give the functions (PAGE_TOKEN_SECRET), as the server's key.
TEST_PAGE_TOKEN_KEY = "tests-page-token-key"


def forged(scope: str, payload: object, key: str = TEST_PAGE_TOKEN_KEY) -> str:
    """A token built the way the server builds them, with a chosen key and payload."""
    return signed(scope, json.dumps(payload, separators=(",", ":"), sort_keys=True).encode(), key)


def signed(scope: str, body: bytes, key: str = TEST_PAGE_TOKEN_KEY) -> str:
    """A token of any bytes at all, validly signed."""
    signature = hmac.new(key.encode(), scope.encode() + b"\x00" + body, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(signature + body).decode().rstrip("=")
