"""Stream records as Lambda hands them to the stream processor, built from plain item images."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from event_core.store.codec import encode

REGION = "us-east-1"
STREAM_LABEL = "2027-01-01T00:00:00.000"
TABLES = {"events": "EventsTable", "registrations": "RegistrationsTable"}
KEYS = {"events": ("eventId",), "registrations": ("eventId", "userId")}
APPROXIMATE_CREATION = 1_800_000_000  # 2027-01-15T08:00:00Z

_sequence = itertools.count(100)


def stream_arn(table: str) -> str:
    return f"arn:aws:dynamodb:{REGION}:123456789012:table/{TABLES[table]}/stream/{STREAM_LABEL}"


def record(
    table: str,
    kind: str,
    *,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    record_id: str | None = None,
    sequence: str | None = None,
) -> dict[str, Any]:
    """One DynamoDB stream record in the Lambda event shape (NEW_AND_OLD_IMAGES)."""
    image = new or old or {}
    stream: dict[str, Any] = {
        "ApproximateCreationDateTime": APPROXIMATE_CREATION,
        "Keys": encode({name: image[name] for name in KEYS[table]}),
        "SequenceNumber": sequence or f"{next(_sequence):021d}",
        "SizeBytes": 100,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new is not None:
        stream["NewImage"] = encode(new)
    if old is not None:
        stream["OldImage"] = encode(old)
    return {
        "eventID": record_id or uuid.uuid4().hex,
        "eventName": kind,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": stream,
        "eventSourceARN": stream_arn(table),
    }


def batch(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}


# ------------------------------------------------------------------ item images, as stored


def registration(event_id: str, user_id: str, status: str = "registered", **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "eventId": event_id,
        "userId": user_id,
        "status": status,
        "registeredAt": "2027-01-10T10:00:00.000000Z",
    }
    if status == "registered":
        item["registeredSort"] = f"{item['registeredAt']}#{user_id}"
    else:
        item["waitlistSeq"] = 1
    return {**item, **extra}


def promoted(waiting: dict[str, Any], promoted_at: str = "2027-01-12T12:00:00.000000Z") -> dict[str, Any]:
    item = {k: v for k, v in waiting.items() if k != "waitlistSeq"}
    return {
        **item,
        "status": "registered",
        "registeredSort": f"{promoted_at}#{waiting['waitlistSeq']:012d}#{waiting['userId']}",
        "promotedAt": promoted_at,
    }


def event_item(event_id: str, **overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "eventId": event_id,
        "title": "PyCon",
        "description": "Talks",
        "date": "2027-05-14",
        "location": "Pittsburgh",
        "capacity": 2,
        "organizer": "PSF",
        "status": "active",
        "waitlistEnabled": True,
        "registeredCount": 0,
        "waitlistCount": 0,
        "createdAt": "2027-01-01T09:00:00.000000Z",
        "updatedAt": "2027-01-01T09:00:00.000000Z",
        "revision": 0,
        "waitlistSeqNext": 1,
    }
    return {**item, **overrides}
