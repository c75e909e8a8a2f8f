"""Who may do what, when the API runs with `AuthMode=COGNITO` (env `AUTH_MODE`).

API Gateway's user pool authorizer has already proved who the caller is and put the token's
claims in `requestContext.authorizer.claims`; this module only decides whether that caller may
use the route. Every route makes one call:

- `require_organizer(app)`: creating, updating and deleting events, the waitlist setting and an
  event's attendee list (other people's registrations). The caller's `cognito:groups` claim
  must contain the organizer group (`ORGANIZER_GROUP`, default `organizers`) or the
  administrator group (`ADMIN_GROUP`, default `admins`). It returns the `Manager` the use case
  checks the event against: an organizer manages the events they created (their `sub` is the
  event's `ownerId`), an administrator every event.
- `require_admin(app)`: handing an event over to another owner; administrator group only.
- `require_self(app, user_id)`: registering, unregistering, a user's registrations and profile,
  creating a user. The caller may only act as themselves: `user_id` must be the caller's id,
  the token's `sub` claim (immutable and never reused, unlike `cognito:username`).

Denials raise `Forbidden` (403 `{"detail": "Forbidden"}`). With any other AuthMode the calls
check nothing and every caller manages every event (`EVERY_EVENT`): NONE is open by design,
API_KEY and IAM authorize at API Gateway (per route, for IAM, via `execute-api:Invoke` policies).
A COGNITO request without claims is refused: it can only come from a route the authorizer does
not guard.
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


@dataclass(frozen=True, slots=True)
class Manager:
    """Who manages events in this request, as the use cases check it against an event's owner."""

    user_id: str | None  # the caller (COGNITO), recorded as the owner of an event they create
    administers: bool  # manages every event, owned or not

    def manages(self, owner_id: str | None) -> bool:
        return self.administers or (self.user_id is not None and owner_id == self.user_id)


# Every event, no owner recorded: AuthMode NONE, API_KEY and IAM, and code the API trusts.
EVERY_EVENT = Manager(user_id=None, administers=True)


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


def require_organizer(app: APIGatewayRestResolver) -> Manager:
    """Only members of the organizer or the administrator group (COGNITO only); who they manage."""
    if not enforced():
        return EVERY_EVENT
    caller = current_caller(app)
    settings = get_settings()
    if caller is None or not caller.groups & {settings.organizer_group, settings.admin_group}:
        raise Forbidden()
    return Manager(user_id=caller.user_id, administers=settings.admin_group in caller.groups)


def require_admin(app: APIGatewayRestResolver) -> None:
    """Only members of the administrator group (COGNITO only)."""
    if not enforced():
        return
    caller = current_caller(app)
    if caller is None or get_settings().admin_group not in caller.groups:
        raise Forbidden()


def require_self(app: APIGatewayRestResolver, user_id: str | None) -> None:
    """Only the user `user_id` themselves (COGNITO only); a missing id is nobody's."""
    if not enforced():
        return
    caller = current_caller(app)
    if caller is None or user_id is None or caller.user_id != user_id:
        raise Forbidden()
