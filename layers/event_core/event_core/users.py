"""User use cases."""

from __future__ import annotations

from event_core.clock import now_iso
from event_core.errors import UserNotFound
from event_core.ids import is_valid_id, new_id
from event_core.models.users import User, UserCreate
from event_core.store import users
from event_core.store.retry import with_retries


def create_user(request: UserCreate) -> User:
    user = User(userId=request.userId or new_id(), name=request.name, createdAt=now_iso())
    with_retries(lambda: users.put_new(user))
    return user


def get_user(user_id: str) -> User:
    user = users.get(user_id) if is_valid_id(user_id) else None
    if user is None:
        raise UserNotFound()
    return user
