"""User models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from event_core.models.fields import Id, PersonName


class UserCreate(BaseModel):
    """Body of POST /users."""

    model_config = ConfigDict(strict=True, extra="ignore")

    userId: Id | None = None
    name: PersonName


class User(BaseModel):
    userId: str
    name: str
    createdAt: str
