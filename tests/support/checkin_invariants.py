"""Check-in invariants, read from the tables: the event's checkedInCount is the number of its
registrations with a checkedInAt, and only registered attendees are checked in."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.types import TypeDeserializer

_DECODE = TypeDeserializer()


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _DECODE.deserialize(value) for name, value in item.items()}


def _registrations(client: Any, event_id: str) -> list[dict[str, Any]]:
    request: dict[str, Any] = {
        "TableName": "RegistrationsTable",
        "KeyConditionExpression": "eventId = :event",
        "ExpressionAttributeValues": {":event": {"S": event_id}},
        "ConsistentRead": True,
    }
    rows: list[dict[str, Any]] = []
    while True:
        response = client.query(**request)
        rows.extend(_plain(item) for item in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return rows
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def check_in_violations(client: Any, event_id: str) -> list[str]:
    """What is wrong with the event's check-ins (empty: nothing)."""
    item = client.get_item(TableName="EventsTable", Key={"eventId": {"S": event_id}}, ConsistentRead=True)
    event = _plain(item.get("Item", {}))
    checked_in = [row for row in _registrations(client, event_id) if "checkedInAt" in row]
    problems = []
    count = int(event.get("checkedInCount", 0))
    if count != len(checked_in):
        problems.append(f"checkedInCount {count} but {len(checked_in)} registrations checked in")
    problems += [
        f"{row['userId']} is checked in while {row['status']}"
        for row in checked_in
        if row["status"] != "registered"
    ]
    return problems


def assert_check_ins_consistent(client: Any, event_id: str) -> int:
    """Fail on any check-in violation; the number of attendees checked in."""
    problems = check_in_violations(client, event_id)
    assert not problems, problems
    return len([row for row in _registrations(client, event_id) if "checkedInAt" in row])
