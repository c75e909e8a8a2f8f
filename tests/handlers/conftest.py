"""Handler tests: each function's lambda_handler fed API Gateway events, as `sam local invoke` does.

Every test gets moto's DynamoDB with fresh tables built from template.yaml, holding the sample
data of events/seed/sample-data.json (written once through the domain, then copied into each
test's tables), so the events/ samples work unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from event_core import events, registration, users
from event_core.models.events import EventCreate
from event_core.models.users import UserCreate
from tests.handlers.lambda_runner import SEED_FILE
from tests.unit.moto_tables import clear_caches, fresh_tables, mocked_aws, set_environment


@pytest.fixture(scope="package")
def moto_dynamodb() -> Iterator[Any]:
    with mocked_aws() as client:
        yield client


def seed_samples() -> None:
    """Create the users, events and registrations that the events/ samples refer to."""
    seed = json.loads(SEED_FILE.read_text())
    for user in seed["users"]:
        users.create_user(UserCreate.model_validate(user))
    for event in seed["events"]:
        events.create_event(EventCreate.model_validate(event))
    for place in seed["registrations"]:
        registration.register(place["eventId"], place["userId"])


@pytest.fixture(scope="package")
def seeded_items(moto_dynamodb: Any) -> dict[str, list[dict[str, Any]]]:
    """The raw items the seed produces, written once through the domain and then copied per test."""
    fresh_tables(moto_dynamodb)
    seed_samples()
    return {
        name: moto_dynamodb.scan(TableName=name, ConsistentRead=True)["Items"]
        for name in moto_dynamodb.list_tables()["TableNames"]
    }


@pytest.fixture(autouse=True)
def ddb(
    moto_dynamodb: Any, seeded_items: dict[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """Fresh, seeded tables; yields a raw DynamoDB client for checks behind the API's back."""
    set_environment(monkeypatch)
    fresh_tables(moto_dynamodb)
    requests = {
        name: [{"PutRequest": {"Item": item}} for item in items] for name, items in seeded_items.items()
    }
    moto_dynamodb.batch_write_item(RequestItems={name: puts for name, puts in requests.items() if puts})
    yield moto_dynamodb
    clear_caches()
