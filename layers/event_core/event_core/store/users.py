"""Users table: one item per user."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from event_core.errors import UserAlreadyExists
from event_core.models.users import User
from event_core.settings import get_settings
from event_core.store.client import dynamodb
from event_core.store.codec import Item, decode, encode, key


def table() -> str:
    return get_settings().users_table


def user_key(user_id: str) -> Item:
    return key(userId=user_id)


def put_new(user: User) -> None:
    """Insert the user; UserAlreadyExists if the id is taken by anything but this very write."""
    item = encode(user.model_dump())
    try:
        dynamodb().put_item(
            TableName=table(),
            Item=item,
            ConditionExpression="attribute_not_exists(userId)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            if error.response.get("Item") == item:
                return  # a retry of this put found its own item: success
            raise UserAlreadyExists() from None
        raise


def get(user_id: str) -> User | None:
    response = dynamodb().get_item(TableName=table(), Key=user_key(user_id), ConsistentRead=True)
    item = response.get("Item")
    return User.model_validate(decode(item)) if item else None


def exists_check(user_id: str) -> dict[str, Any]:
    """A transaction action that fails unless the user exists."""
    return {
        "ConditionCheck": {
            "TableName": table(),
            "Key": user_key(user_id),
            "ConditionExpression": "attribute_exists(userId)",
        }
    }
