"""Plain Python values <-> DynamoDB attribute values, for the few types the tables hold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

AttributeValue = dict[str, Any]
Item = dict[str, Any]  # attribute name -> attribute value


def encode_value(value: object) -> AttributeValue:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if value is None:
        return {"NULL": True}
    raise TypeError(f"unsupported attribute type: {type(value).__name__}")


def decode_value(attribute: Mapping[str, Any]) -> object:
    (kind, raw), *_ = attribute.items()
    if kind == "S":
        return raw
    if kind == "N":
        return int(raw) if raw.lstrip("-").isdigit() else float(raw)
    if kind == "BOOL":
        return bool(raw)
    if kind == "NULL":
        return None
    raise TypeError(f"unsupported attribute kind: {kind}")


def encode(values: Mapping[str, object]) -> Item:
    return {name: encode_value(value) for name, value in values.items()}


def decode(item: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {name: decode_value(attribute) for name, attribute in item.items()}


def key(**parts: str) -> Item:
    return {name: {"S": value} for name, value in parts.items()}
