"""`If-Match` preconditions (RFC 9110, section 13.1.1) for optimistic concurrency on events.

A client sends back the ETag it read; the write applies only if the event still has it. The
comparison is made on the state the write is conditioned on (the event's revision), so the
check and the write are one atomic step: see `events.update_event`.

- `*` matches any existing event.
- A list (`"a", "b"`) matches if any member does.
- Weak tags (`W/"a"`) match by their opaque value. RFC 9110 asks for strong comparison, under
  which a weak tag never matches; but intermediaries that compress a response weaken its ETag,
  and our tags name an exact revision, so a weakened tag is as precise as the original.
- Anything else is not an entity-tag list: request validation refuses it (422) on the routes;
  `parse_if_match` raises InvalidPrecondition (400) for any other caller.
"""

from __future__ import annotations

import re
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Header

from event_core.errors import InvalidPrecondition, PreconditionFailed

# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text (not allowed here);
# a comma may stand inside a tag, so members are read tag by tag, not split on commas.
_MEMBER = re.compile(r'\s*(?:W/)?"([\x21\x23-\x7e]*)"\s*(,|$)')
_ANY = "*"


def parse_if_match(header: str) -> frozenset[str] | None:
    """The opaque tags an `If-Match` value lists, or None for `*` (any current representation)."""
    if header.strip() == _ANY:
        return None
    tags: set[str] = set()
    position = 0
    while True:
        match = _MEMBER.match(header, position)
        if match is None:
            raise InvalidPrecondition()
        tags.add(match.group(1))
        position = match.end()
        if not match.group(2):  # the end of the header
            return frozenset(tags)


def opaque(etag: str) -> str:
    """The opaque part of an ETag we issued: `"id.3"` -> `id.3`."""
    return etag.removeprefix("W/").strip('"')


def check_if_match(header: str | None, current_etag: str) -> None:
    """Raise PreconditionFailed unless the header (if any) matches the current ETag."""
    if header is None:
        return
    tags = parse_if_match(header)
    if tags is not None and opaque(current_etag) not in tags:
        raise PreconditionFailed()


# The header's grammar, for request validation and the OpenAPI document (a malformed value is a
# 422 like any other invalid parameter; `parse_if_match` is the same grammar for other callers).
IF_MATCH_PATTERN = r'^\s*(\*|(W/)?"[!#-~]*"(\s*,\s*(W/)?"[!#-~]*")*)\s*$'

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        pattern=IF_MATCH_PATTERN,
        description=(
            "Apply only if the event is unchanged: an ETag from GET or PUT (a list, weak `W/` tags"
            " and `*` are accepted). Otherwise 412 and nothing is written."
        ),
    ),
]
"""The header as a route parameter, documented in OpenAPI."""
