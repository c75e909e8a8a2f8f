"""User models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from event_core.models.fields import Id, PersonName


class UserCreate(BaseModel):
    """Body of POST /users."""

    model_config = ConfigDict(
        strict=True, extra="ignore", json_schema_extra={"examples": [{"userId": "ana", "name": "Ana"}]}
    )

    userId: Id | None = Field(
        default=None,
        description="The user's id, generated if absent; with AuthMode COGNITO, the caller's own `sub`",
        examples=["ana"],
    )
    name: PersonName


class User(BaseModel):
    """A user: someone who may register for events."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"userId": "ana", "name": "Ana", "createdAt": "2027-01-10T15:05:00.000001Z"}]
        }
    )

    userId: str = Field(description="The user's id")
    name: str = Field(description="The user's name")
    createdAt: str = Field(
        description="When the user was created: server time, UTC, ISO 8601 with microseconds"
    )
