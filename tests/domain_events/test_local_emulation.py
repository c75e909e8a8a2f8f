"""The local EventBridge stand-in and its faults (the stream sources: test_local_streams.py). No
server needed."""

from __future__ import annotations

import json
from typing import Any

from local_api.eventbus import Fault, LocalEventBus, template_buses
from local_api.functions import load_stacks
from local_api.paths import DEFAULT_TEMPLATE

# ------------------------------------------------------------------ the EventBridge stand-in


def entry(detail: dict[str, Any], bus: str = "Bus", detail_type: str = "Thing") -> dict[str, Any]:
    return {
        "Source": "test",
        "DetailType": detail_type,
        "Detail": json.dumps(detail),
        "EventBusName": bus,
        "Time": 1_800_000_000,
    }


def test_accepted_entries_are_kept_as_rule_targets_receive_them():
    bus = LocalEventBus(buses=frozenset({"Bus"}))

    response = bus.put_events([entry({"a": 1})])

    (event,) = bus.events()
    assert response == {"FailedEntryCount": 0, "Entries": [{"EventId": event["id"]}]}
    assert event["detail-type"] == "Thing"
    assert event["source"] == "test"
    assert event["time"] == "2027-01-15T08:00:00Z"
    assert event["detail"] == {"a": 1}


def test_entries_for_unknown_buses_or_with_malformed_details_are_refused_per_entry():
    bus = LocalEventBus(buses=frozenset({"Bus"}))
    malformed = {**entry({}), "Detail": "[1]"}

    response = bus.put_events([entry({"a": 1}, bus="Nope"), malformed, entry({"ok": True})])

    assert response["FailedEntryCount"] == 2
    assert [r.get("ErrorCode") for r in response["Entries"]] == [
        "ResourceNotFoundException",
        "MalformedDetail",
        None,
    ]
    assert [e["detail"] for e in bus.events()] == [{"ok": True}]


def test_an_armed_fault_refuses_matching_entries_the_given_number_of_times():
    bus = LocalEventBus(buses=frozenset({"Bus"}))
    bus.arm(
        [Fault.from_json({"match": {"detail-type": "Thing", "detail": {"data": {"u": "x"}}}, "times": 2})]
    )
    hit, miss = entry({"data": {"u": "x", "v": 1}}), entry({"data": {"u": "y"}})

    codes = [bus.put_events([hit, miss])["Entries"][0].get("ErrorCode") for _ in range(3)]

    assert codes == ["InternalFailure", "InternalFailure", None]
    assert len(bus.refused()) == 2
    assert [e["detail"]["data"]["u"] for e in bus.events()] == ["y", "y", "x", "y"]
    assert bus.disarm() == []


def test_the_local_bus_accepts_the_templates_buses_and_the_default_one():
    stacks = load_stacks(DEFAULT_TEMPLATE)
    assert template_buses(stacks[0].resources) == {"default", "DomainEventBus"}
