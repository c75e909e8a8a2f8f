"""The published contract of the domain events: schemas in step with the models, the template's
wiring (streams, event sources, bus, least privilege, the example rule), the README."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from domain_event_schemas import SCHEMAS_DIR, schema_documents, stale_files
from samcli.yamlhelper import yaml_parse

from event_core.domain_events.models import EVENT_TYPES, SOURCE
from local_api.paths import DEFAULT_TEMPLATE, REPO_ROOT

TYPE_NAMES = [model.__name__ for model in EVENT_TYPES]


@cache
def resources() -> dict[str, Any]:
    return yaml_parse(DEFAULT_TEMPLATE.read_text())["Resources"]


def schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS_DIR / f"{name}.json").read_text())


def test_the_schema_files_are_generated_from_the_models():
    assert stale_files() == [], "run `make schemas`"
    assert sorted(schema_documents()) == sorted(f"{name}.json" for name in TYPE_NAMES)


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_each_schema_is_valid_json_schema_and_pins_source_and_detail_type(name):
    document = schema(name)
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["properties"]["source"] == {"const": SOURCE}
    assert document["properties"]["detail-type"] == {"const": name}


def test_the_tables_stream_new_and_old_images():
    for table in ("EventsTable", "RegistrationsTable"):
        assert resources()[table]["Properties"]["StreamSpecification"] == {
            "StreamViewType": "NEW_AND_OLD_IMAGES"
        }


def test_the_stream_processor_reads_both_streams_with_partial_failures_retries_and_a_dlq():
    function = resources()["StreamProcessorFunction"]["Properties"]
    assert function["CodeUri"] == "functions/stream_processor/"
    streams = {}
    for event in function["Events"].values():
        assert event["Type"] == "DynamoDB"
        properties = event["Properties"]
        streams[properties["Stream"]["Fn::GetAtt"][0]] = properties
    assert sorted(streams) == ["EventsTable", "RegistrationsTable"]
    for properties in streams.values():
        assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert properties["BisectBatchOnFunctionError"] is True
        assert 0 < properties["MaximumRetryAttempts"] <= 10
        assert properties["DestinationConfig"]["OnFailure"] == {
            "Type": "SQS",
            "Destination": {"Fn::GetAtt": ["StreamFailuresQueue", "Arn"]},
        }
    assert resources()["StreamFailuresQueue"]["Type"] == "AWS::SQS::Queue"


def test_the_stream_processor_may_put_events_on_its_bus_only_and_read_events():
    function = resources()["StreamProcessorFunction"]["Properties"]
    statements = [s for policy in function["Policies"] for s in policy["Statement"]]
    assert function["Environment"]["Variables"]["EVENT_BUS_NAME"] == {"Ref": "DomainEventBus"}
    assert {(tuple(s["Action"]), json.dumps(s["Resource"])) for s in statements} == {
        (("events:PutEvents",), json.dumps({"Fn::GetAtt": ["DomainEventBus", "Arn"]})),
        (("dynamodb:GetItem",), json.dumps({"Fn::GetAtt": ["EventsTable", "Arn"]})),
    }


def test_the_example_rule_routes_promotions_to_the_topic_and_is_disabled():
    rule = resources()["PromotedFromWaitlistRule"]["Properties"]
    assert rule["State"] == "DISABLED"
    assert rule["EventBusName"] == {"Ref": "DomainEventBus"}
    assert rule["EventPattern"] == {"source": [SOURCE], "detail-type": ["PromotedFromWaitlist"]}
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Ref": "PromotionNotificationsTopic"}
    # the paths it reads exist in the event's schema
    data = schema("PromotedFromWaitlist")["$defs"]["PromotedFromWaitlistData"]["properties"]
    for path in target["InputTransformer"]["InputPathsMap"].values():
        assert path.startswith("$.detail.data.")
        assert path.removeprefix("$.detail.data.") in data
    policy = resources()["PromotionNotificationsTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert policy[0]["Principal"] == {"Service": "events.amazonaws.com"}
    assert policy[0]["Condition"] == {
        "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["PromotedFromWaitlistRule", "Arn"]}}
    }


def test_the_readme_documents_every_domain_event():
    readme = (REPO_ROOT / "README.md").read_text()
    for name in TYPE_NAMES:
        assert f"`{name}`" in readme
        assert f"schemas/{name}.json" in readme
