"""Who may do what, when the API runs with `AuthMode=COGNITO` (env `AUTH_MODE`).

API Gateway's user pool authorizer has already proved who the caller is and put the token's
claims in `requestContext.authorizer.claims`; this module only decides whether that caller may
use the route. Every route makes one call:

- `require_organizer(app)`: creating, updating and deleting events, the waitlist setting and an
  event's attendee list (other people's registrations). The caller's `cognito:groups` claim
  must contain the organizer group (`ORGANIZER_GROUP`, default `organizers`).
- `require_self(app, user_id)`: registering, unregistering, a user's registrations and profile,
  creating a user. The caller may only act as themselves: `user_id` must be the caller's id,
  the token's `sub` claim (immutable and never reused, unlike `cognito:username`).

Denials raise `Forbidden` (403 `{"detail": "Forbidden"}`). With any other AuthMode both calls do
nothing: NONE is open by design, API_KEY and IAM authorize at API Gateway (per route, for IAM, via
`execute-api:Invoke` policies). A COGNITO request without claims is refused: it can only come
from a route the authorizer does not guard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from event_core.errors import Forbidden
from event_core.settings import get_settings

COGNITO = "COGNITO"
USER_ID_CLAIM = "sub"
GROUPS_CLAIM = "cognito:groups"
_GROUP_SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated user behind a request."""

    user_id: str
    groups: frozenset[str]


def caller_from_claims(claims: dict[str, Any]) -> Caller | None:
    """The caller described by a Cognito token's claims; None without a usable `sub`."""
    user_id = claims.get(USER_ID_CLAIM)
    if not isinstance(user_id, str) or not user_id:
        return None
    return Caller(user_id=user_id, groups=parse_groups(claims.get(GROUPS_CLAIM)))


def parse_groups(value: object) -> frozenset[str]:
    """`cognito:groups` as API Gateway passes it: a list, or a string such as `a,b` or `[a b]`."""
    if isinstance(value, list | tuple):
        return frozenset(str(group) for group in value if group)
    if not isinstance(value, str):
        return frozenset()
    return frozenset(group for group in _GROUP_SEPARATORS.split(value.strip().strip("[]")) if group)


def enforced() -> bool:
    return get_settings().auth_mode == COGNITO


def current_caller(app: APIGatewayRestResolver) -> Caller | None:
    return caller_from_claims(app.current_event.request_context.authorizer.claims)


def require_organizer(app: APIGatewayRestResolver) -> None:
    """Only members of the organizer group (COGNITO only)."""
    if not enforced():
        return
    caller = current_caller(app)
    if caller is None or get_settings().organizer_group not in caller.groups:
        raise Forbidden()


def require_self(app: APIGatewayRestResolver, user_id: str | None) -> None:
    """Only the user `user_id` themselves (COGNITO only); a missing id is nobody's."""
    if not enforced():
        return
    caller = current_caller(app)
    if caller is None or user_id is None or caller.user_id != user_id:
        raise Forbidden()
