"""Create the template's DynamoDB tables on a local endpoint, named by their logical ids.

The template is the single source of truth: key schemas and indexes are copied from it, never
repeated here. DynamoDB Local creates tables ACTIVE, so there is nothing to wait for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from samcli.yamlhelper import yaml_parse

from local_api.clients import dynamodb_client

TABLE_TYPE = "AWS::DynamoDB::Table"
TABLE_PROPERTIES = ("AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput")
GSI_PROPERTIES = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
LSI_PROPERTIES = ("IndexName", "KeySchema", "Projection")


def _pick(source: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: source[key] for key in keys if key in source}


def create_table_request(logical_id: str, properties: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation `AWS::DynamoDB::Table` properties -> CreateTable parameters."""
    request: dict[str, Any] = {"TableName": logical_id, **_pick(properties, TABLE_PROPERTIES)}
    if gsis := properties.get("GlobalSecondaryIndexes"):
        request["GlobalSecondaryIndexes"] = [_pick(gsi, GSI_PROPERTIES) for gsi in gsis]
    if lsis := properties.get("LocalSecondaryIndexes"):
        request["LocalSecondaryIndexes"] = [_pick(lsi, LSI_PROPERTIES) for lsi in lsis]
    if stream := properties.get("StreamSpecification"):
        # CloudFormation has only StreamViewType; the API also wants StreamEnabled.
        request["StreamSpecification"] = {"StreamEnabled": True, **stream}
    return request


def table_requests(template: Path) -> dict[str, dict[str, Any]]:
    """CreateTable parameters for every table in the template, by logical id."""
    resources = yaml_parse(template.read_text()).get("Resources", {})
    return {
        logical_id: create_table_request(logical_id, resource.get("Properties", {}))
        for logical_id, resource in resources.items()
        if resource.get("Type") == TABLE_TYPE
    }


def create_tables(endpoint: str, template: Path) -> list[str]:
    """Create the template's missing tables on `endpoint`; return the names it created."""
    client = dynamodb_client(endpoint)
    existing = {
        name for page in client.get_paginator("list_tables").paginate() for name in page.get("TableNames", [])
    }
    created = []
    for name, request in table_requests(template).items():
        if name in existing:
            continue
        try:
            client.create_table(**request)
        except client.exceptions.ResourceInUseException:
            continue  # created concurrently by someone else: fine, it is there
        created.append(name)
    return created
