"""The key that signs page tokens (event_core.pagination), and where it comes from.

- `PAGE_TOKEN_SECRET`, local development only (`make dev`, the tests, `sam local` with
  env.local.json): the key itself.
- `PAGE_TOKEN_SECRET_ARN`, in AWS: the stack's Secrets Manager secret (template.yaml,
  `PageTokenSecretStore`), generated for each stack unless the `PageTokenSecret` parameter gives
  one. Only the three listing functions have it (and may read it). It is read at a container's
  first listing request and kept for the rest of a KEY_MAX_AGE_SECONDS period: no other request
  pays for the read, and a new value (a rotation) is in use everywhere within that time.
- Neither: MissingPageTokenKey (a 500). There is no built-in key, so no deployment can sign
  with a public one.
"""

from __future__ import annotations

import time
from functools import lru_cache

from event_core.settings import get_settings
from event_core.store.secrets import secret_value

KEY_MAX_AGE_SECONDS = 15 * 60
_clock = time.monotonic


class MissingPageTokenKey(RuntimeError):
    """The function has no page token key: a deployment or local setup error."""


def page_token_key() -> bytes:
    settings = get_settings()
    if settings.page_token_secret is not None:
        return settings.page_token_secret
    if settings.page_token_secret_arn is None:
        raise MissingPageTokenKey("set PAGE_TOKEN_SECRET_ARN (or, locally, PAGE_TOKEN_SECRET)")
    return stored_key(settings.page_token_secret_arn, int(_clock() // KEY_MAX_AGE_SECONDS))


@lru_cache(maxsize=1)
def stored_key(secret_arn: str, period: int) -> bytes:
    """The secret's value, read once per period (the one cached entry is that period's)."""
    key = secret_value(secret_arn).encode()
    if not key:
        raise MissingPageTokenKey(f"the page token secret {secret_arn} is empty")
    return key
