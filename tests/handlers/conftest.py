"""Handler tests: each function's lambda_handler fed API Gateway events, as `sam local invoke` does.

Every test gets moto's DynamoDB with fresh tables built from template.yaml, holding the sample
data of events/seed/sample-data.json (written once through the domain, then copied into each
test's tables), so the events/ samples work unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local_api.seed import seed_samples
from tests.support.moto_aws import fresh_tables, function_setup, moto_session

moto_dynamodb = pytest.fixture(scope="package", name="moto_dynamodb")(moto_session)


@pytest.fixture(scope="package")
def seeded_items(moto_dynamodb: Any) -> dict[str, list[dict[str, Any]]]:
    """The raw items the seed produces, written once through the domain and then copied per test."""
    fresh_tables(moto_dynamodb)
    seed_samples()  # through the domain, on moto
    return {
        name: moto_dynamodb.scan(TableName=name, ConsistentRead=True)["Items"]
        for name in moto_dynamodb.list_tables()["TableNames"]
    }


@pytest.fixture(autouse=True)
def ddb(
    moto_dynamodb: Any, seeded_items: dict[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """Fresh, seeded tables; yields a raw DynamoDB client for checks behind the API's back."""
    with function_setup(moto_dynamodb, monkeypatch) as client:
        requests = {
            name: [{"PutRequest": {"Item": item}} for item in items] for name, items in seeded_items.items()
        }
        client.batch_write_item(RequestItems={name: puts for name, puts in requests.items() if puts})
        yield client
