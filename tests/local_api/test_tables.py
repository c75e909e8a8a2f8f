"""Tables are built from the template on DynamoDB Local, keys and indexes included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from samcli.yamlhelper import yaml_parse

from local_api import DEFAULT_TEMPLATE, create_tables
from local_api.tables import TABLE_TYPE, create_table_request


def template_tables(template: Path) -> dict[str, dict[str, Any]]:
    resources = yaml_parse(template.read_text())["Resources"]
    return {
        name: resource["Properties"] for name, resource in resources.items() if resource["Type"] == TABLE_TYPE
    }


def index_keys(indexes: list[dict[str, Any]] | None) -> dict[str, list[dict[str, Any]]]:
    return {index["IndexName"]: list(index["KeySchema"]) for index in indexes or []}


def test_create_table_request_translates_cloudformation_properties():
    # Given CloudFormation properties, with keys CreateTable does not take
    properties = {
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "g",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ContributorInsightsSpecification": {"Enabled": True},
            }
        ],
        "StreamSpecification": {"StreamViewType": "KEYS_ONLY"},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
    }

    # When
    request = create_table_request("ThingsTable", properties)

    # Then the name is the logical id, the stream is enabled, and CFN-only keys are gone
    assert request["TableName"] == "ThingsTable"
    assert request["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert "ContributorInsightsSpecification" not in request["GlobalSecondaryIndexes"][0]
    assert "PointInTimeRecoverySpecification" not in request
    assert "SSESpecification" not in request


@pytest.mark.integration
def test_every_template_table_exists_with_the_template_keys_and_indexes(ddb_client):
    # Given the session's DynamoDB Local (tables created from template.yaml by the fixture)
    for name, properties in template_tables(DEFAULT_TEMPLATE).items():
        # When
        table = ddb_client.describe_table(TableName=name)["Table"]

        # Then
        assert table["TableStatus"] == "ACTIVE"
        assert table["KeySchema"] == properties["KeySchema"]
        assert index_keys(table.get("GlobalSecondaryIndexes")) == index_keys(
            properties.get("GlobalSecondaryIndexes")
        )
        assert index_keys(table.get("LocalSecondaryIndexes")) == index_keys(
            properties.get("LocalSecondaryIndexes")
        )
        assert table["BillingModeSummary"]["BillingMode"] == properties["BillingMode"]


@pytest.mark.integration
def test_create_tables_skips_tables_that_exist(ddb_endpoint):
    assert create_tables(ddb_endpoint, DEFAULT_TEMPLATE) == []


@pytest.mark.integration
def test_stream_and_both_index_kinds_are_created(ddb_endpoint, ddb_client, sample_template):
    # When (the sample server may have created it already: either way it must be there)
    create_tables(ddb_endpoint, sample_template)

    # Then
    table = ddb_client.describe_table(TableName="ThingsTable")["Table"]
    assert table["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    assert index_keys(table["GlobalSecondaryIndexes"]) == {
        "kind-index": [{"AttributeName": "kind", "KeyType": "HASH"}]
    }
    assert table["GlobalSecondaryIndexes"][0]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert index_keys(table["LocalSecondaryIndexes"]) == {
        "rank-index": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "rank", "KeyType": "RANGE"},
        ]
    }
