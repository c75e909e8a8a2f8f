"""DynamoDB and Secrets Manager permissions: what a function's template policies grant, and
what its calls need.

Both sides are sets of `Access(action, table, index)`: `table` is the table's logical id,
`index` an index name or None for the table itself; and of `SecretAccess(action, secret)`, the
secret being the logical id of an AWS::SecretsManager::Secret (granted as `!Ref <secret>`, its
ARN).

What a call needs is IAM's rule for DynamoDB: most operations are actions of their own on the
table or index they name; TransactWriteItems and TransactGetItems are not actions at all, each
item needs its own (Put -> PutItem, Update -> UpdateItem, Delete -> DeleteItem, ConditionCheck ->
ConditionCheckItem, Get -> GetItem) on its table; BatchGetItem and BatchWriteItem need their own
action on every table of the request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

READ_ACTIONS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "DescribeTable", "ConditionCheckItem"})
# Actions that read a table's stream (granted on the stream ARN, not the table).
STREAM_ACTIONS = frozenset({"DescribeStream", "GetRecords", "GetShardIterator", "ListStreams"})
_TRANSACT_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}
_TABLE_ARN = re.compile(r"^\$\{(?P<table>\w+)\.Arn\}(?:/index/(?P<index>[^/]+))?$")
_TABLE_NAME_ARN = re.compile(
    r"^arn:\$\{AWS::Partition\}:dynamodb:\$\{AWS::Region\}:\$\{AWS::AccountId\}:"
    r"table/\$\{(?P<table>\w+)\}(?:/index/(?P<index>[^/]+))?$"
)


@dataclass(frozen=True, order=True)
class Access:
    action: str
    table: str
    index: str | None = None

    def __str__(self) -> str:
        where = self.table + (f"/index/{self.index}" if self.index else "")
        return f"dynamodb:{self.action} on {where}"


@dataclass(frozen=True, order=True)
class SecretAccess:
    action: str
    secret: str

    def __str__(self) -> str:
        return f"secretsmanager:{self.action} on {self.secret}"


@dataclass
class Grants:
    """A function's DynamoDB and Secrets Manager grants, and whatever in its policies breaks the rules."""

    dynamodb: set[Access] = field(default_factory=set)
    secrets: set[SecretAccess] = field(default_factory=set)
    streams: set[Access] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def resource_target(resource: Any) -> tuple[str, str | None] | str:
    """(table, index) of a table or index ARN as the template writes it, "stream:<table>" for a
    table's stream, or an error message."""
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        target = resource["Fn::GetAtt"]
        name, attribute = target.split(".", 1) if isinstance(target, str) else target
        if attribute == "Arn":
            return (name, None)
        if attribute == "StreamArn":
            return f"stream:{name}"
    if isinstance(resource, dict) and "Fn::Sub" in resource and isinstance(resource["Fn::Sub"], str):
        text = resource["Fn::Sub"]
        if match := _TABLE_ARN.fullmatch(text) or _TABLE_NAME_ARN.fullmatch(text):
            return (match["table"], match["index"])
    return f"resource not recognised as a table, index or stream ARN: {resource!r}"


def grants(properties: Mapping[str, Any]) -> Grants:
    """Parse a function's `Policies` (as written in template.yaml)."""
    found = Grants()
    for policy in _listed(properties.get("Policies") or []):
        if isinstance(policy, str):
            if "dynamodb" in policy.lower():
                found.problems.append(f"managed policy {policy!r}: grant DynamoDB with statements")
            continue
        if not isinstance(policy, dict) or "Statement" not in policy:
            (name,) = policy
            if "dynamodb" in str(name).lower():
                found.problems.append(f"policy template {name}: grant DynamoDB with statements")
            continue
        for statement in _listed(policy["Statement"]):
            _statement(statement, found)
    return found


def _statement(statement: Mapping[str, Any], found: Grants) -> None:
    actions = [str(a) for a in _listed(statement.get("Action", []))]
    resources = _listed(statement.get("Resource", []))
    if statement.get("Effect") != "Allow":
        return
    if "NotAction" in statement or "NotResource" in statement:
        found.problems.append(f"NotAction/NotResource in {statement!r}")
    if any(resource == "*" for resource in resources):
        found.problems.append(f"Resource '*' in {statement!r}")
    if any("*" in action for action in actions):
        found.problems.append(f"wildcard action in {statement!r}")
    _secrets_statement(actions, resources, found)
    dynamodb_actions = [a.split(":", 1)[1] for a in actions if a.lower().startswith("dynamodb:")]
    if not dynamodb_actions:
        return
    for resource in resources:
        target = resource_target(resource)
        if isinstance(target, str) and target.startswith("stream:"):
            table = target.removeprefix("stream:")
            for action in dynamodb_actions:
                if action not in STREAM_ACTIONS:
                    found.problems.append(f"dynamodb:{action} on the stream of {table}")
                found.streams.add(Access(action, table, "stream"))
        elif isinstance(target, str):
            found.problems.append(target)
        else:
            table, index = target
            found.dynamodb.update(Access(action, table, index) for action in dynamodb_actions)


def _secrets_statement(actions: list[str], resources: list[Any], found: Grants) -> None:
    secret_actions = [a.split(":", 1)[1] for a in actions if a.lower().startswith("secretsmanager:")]
    for resource in resources if secret_actions else []:
        if isinstance(resource, dict) and set(resource) == {"Ref"}:
            found.secrets.update(SecretAccess(action, str(resource["Ref"])) for action in secret_actions)
        else:
            found.problems.append(f"secretsmanager grant on {resource!r}: grant it on !Ref <secret>")


def secrets_needed_by(
    calls: Iterable[tuple[str, Mapping[str, Any]]], secret_ids: Mapping[str, str]
) -> set[SecretAccess]:
    """The permissions Secrets Manager calls need. `secret_ids`: secret ARN -> logical id."""
    return {
        SecretAccess(operation, secret_ids.get(params["SecretId"], params["SecretId"]))
        for operation, params in calls
    }


def needed(operation: str, params: Mapping[str, Any], table_ids: Mapping[str, str]) -> set[Access]:
    """The permissions one DynamoDB API call needs. `table_ids`: table name -> logical id."""

    def table(name: str) -> str:
        return table_ids.get(name, name)

    if operation == "TransactWriteItems" or operation == "TransactGetItems":
        accesses = set()
        for item in params["TransactItems"]:
            ((kind, request),) = item.items()
            accesses.add(Access(_TRANSACT_ITEM_ACTIONS[kind], table(request["TableName"])))
        return accesses
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return {Access(operation, table(name)) for name in params["RequestItems"]}
    return {Access(operation, table(params["TableName"]), params.get("IndexName"))}


def needed_by(calls: Iterable[tuple[str, Mapping[str, Any]]], table_ids: Mapping[str, str]) -> set[Access]:
    return set().union(*(needed(operation, params, table_ids) for operation, params in calls))
