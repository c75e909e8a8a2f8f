"""Schemathesis hooks for the fuzz run (loaded by the CLI through SCHEMATHESIS_HOOKS).

- `before_load_schema` adds OpenAPI links to the served document before Schemathesis reads it:
  what a create answers (an event's or a user's id, a registration's pair of ids) feeds the
  operations on that resource, so the stateful phase walks create -> read -> update -> register
  -> leave -> delete -> read-after-delete chains instead of guessing ids that do not exist.
- `created_resource_available` is Schemathesis' `ensure_resource_availability` (a resource a
  POST just created must not answer 404), except after a replayed create: an `Idempotency-Key`
  retry replays what the first request answered (documented), so a replayed 201 says nothing
  about whether the resource still exists (it may have been deleted since).
- `filter_case` drops request bodies that are not UTF-8. SAM CLI's API Gateway emulation answers
  those itself with a 502 before any function runs (`UnicodeDecodeError while processing HTTP
  request`), so they would test the emulator, not this API.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.specs.openapi.checks import ensure_resource_availability


def _link(operation_id: str, **parameters: str) -> dict[str, Any]:
    return {"operationId": operation_id, "parameters": parameters}


EVENT_ID = "$response.body#/eventId"
USER_ID = "$response.body#/userId"
EVENT_LINKS = {
    "GetEvent": _link("getEvent", eventId=EVENT_ID),
    "UpdateEvent": _link("updateEvent", eventId=EVENT_ID),
    "SetWaitlist": _link("setWaitlist", eventId=EVENT_ID),
    "Register": _link("register", eventId=EVENT_ID),
    "ListEventRegistrations": _link("listEventRegistrations", eventId=EVENT_ID),
    "DeleteEvent": _link("deleteEvent", eventId=EVENT_ID),
}
LINKS: dict[tuple[str, str, str], dict[str, Any]] = {
    ("/events", "post", "201"): EVENT_LINKS,
    ("/events/{eventId}", "get", "200"): EVENT_LINKS,
    ("/events/{eventId}", "put", "200"): EVENT_LINKS,
    ("/users", "post", "201"): {
        "GetUser": _link("getUser", userId=USER_ID),
        "ListUserRegistrations": _link("listUserRegistrations", userId=USER_ID),
    },
    ("/events/{eventId}/registrations", "post", "201"): {
        "Unregister": _link("unregister", eventId=EVENT_ID, userId=USER_ID),
        "ListEventRegistrations": _link("listEventRegistrations", eventId=EVENT_ID),
        "ListUserRegistrations": _link("listUserRegistrations", userId=USER_ID),
    },
}


@schemathesis.hook
def before_load_schema(context: schemathesis.HookContext, raw_schema: dict[str, Any]) -> None:
    paths = raw_schema.get("paths", {})
    for (path, method, status), links in LINKS.items():
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is not None:
            response.setdefault("links", {}).update(links)


@schemathesis.hook
def filter_case(context: schemathesis.HookContext, case: schemathesis.Case) -> bool:
    body = case.body
    if isinstance(body, bytes | bytearray):
        try:
            bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


@schemathesis.check
def created_resource_available(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """ensure_resource_availability, unless the create was an idempotent replay."""
    parent = ctx.internals.find_parent(case_id=case.id)
    created = ctx.internals.find_response(case_id=parent.id) if parent is not None else None
    if created is not None and created.headers.get("idempotent-replayed") == ["true"]:
        return None
    result: bool | None = ensure_resource_availability(ctx, response, case)
    return result
