"""Page cursors <-> DynamoDB keys: the store's half of paging (event_core.models.page_cursors).

A cursor holds the key attributes of the item a page ended on, less those the listing fixes (its
event, user or status); the store adds those back, from the listing, never from the client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from event_core.store.codec import decode, encode

CursorT = TypeVar("CursorT", bound=BaseModel)


def resume_after(cursor: BaseModel | None, **fixed: str) -> dict[str, Any]:
    """The request parameters that start a Query or Scan after the cursor's item."""
    if cursor is None:
        return {}
    return {"ExclusiveStartKey": encode({**fixed, **cursor.model_dump()})}


def following(response: Mapping[str, Any], cursor: type[CursorT], *fixed: str) -> CursorT | None:
    """The cursor of the page after this response's (None on the last page)."""
    last_key = response.get("LastEvaluatedKey")
    if not last_key:
        return None
    position = {name: value for name, value in decode(last_key).items() if name not in fixed}
    return cursor.model_validate(position)


def peek_limit(limit: int) -> int:
    """The Limit to read a page of `limit` items with: one more, to know whether any follows."""
    return limit + 1


def page_of(
    response: Mapping[str, Any], limit: int, cursor: type[CursorT], *fixed: str
) -> tuple[list[dict[str, Any]], CursorT | None]:
    """The page (the first `limit` items) of a response read with `peek_limit(limit)`, and the
    cursor of the page after it: None on the last page, so that no token leads to an empty page.

    The extra item proves that one follows; without it, only DynamoDB's own cut (its 1 MB limit:
    a LastEvaluatedKey before `limit` items) says that more may.
    """
    items = list(response.get("Items", []))
    if len(items) > limit:
        return items[:limit], position_of(items[limit - 1], cursor)
    return items, following(response, cursor, *fixed)


def position_of(item: Mapping[str, Any], cursor: type[CursorT]) -> CursorT:
    """The cursor of a page ending on this item (one a Query or Scan read), from its key."""
    values = decode({name: value for name, value in item.items() if name in cursor.model_fields})
    return cursor.model_validate(values)
