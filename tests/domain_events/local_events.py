"""Drive the local server's /_local routes: published events, stream pausing and draining, the
schedules' firings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

TIMEOUT_SECONDS = 60
DRAIN_READ_SECONDS = 900


@dataclass(frozen=True)
class LocalEvents:
    url: str

    def drain(self) -> None:
        """Return once every change made so far went through the stream processor."""
        # The server bounds the wait (it gives up when the streams stall, not when they are slow).
        response = requests.post(f"{self.url}/_local/streams/drain", timeout=DRAIN_READ_SECONDS)
        assert response.status_code == 200, response.text

    def published(self, event_id: str) -> list[dict[str, Any]]:
        """Every delivery of a domain event about `event_id`, duplicates included, in order."""
        return [e for e in self._log()["events"] if e["detail"]["data"]["eventId"] == event_id]

    def pause(self) -> None:
        requests.post(f"{self.url}/_local/streams/pause", timeout=TIMEOUT_SECONDS).raise_for_status()

    def resume(self) -> None:
        requests.post(f"{self.url}/_local/streams/resume", timeout=TIMEOUT_SECONDS).raise_for_status()

    def fire_schedules(self) -> list[dict[str, Any]]:
        """Fire the schedules due now; on return every due schedule has fired (passes never
        overlap), by this call (the firings it answers) or by the server's own dispatcher."""
        response = requests.post(f"{self.url}/_local/schedules/fire", timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        return list(response.json()["fired"])

    def schedule_firings(self, schedule: str) -> list[dict[str, Any]]:
        """Every firing of `schedule` ("<group>/<name>") since the server started, in order."""
        response = requests.get(f"{self.url}/_local/schedules", timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        return [f for f in response.json()["firings"] if f["schedule"] == schedule]

    def streams(self) -> dict[str, Any]:
        return requests.get(f"{self.url}/_local/streams", timeout=TIMEOUT_SECONDS).json()

    def _log(self) -> dict[str, Any]:
        response = requests.get(f"{self.url}/_local/events", timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        return response.json()


def unique(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a consumer keeps: the first delivery of each domain event id."""
    seen: set[str] = set()
    kept = []
    for event in events:
        if event["detail"]["id"] not in seen:
            seen.add(event["detail"]["id"])
            kept.append(event)
    return kept


def summary(event: dict[str, Any]) -> tuple[str, ...]:
    """(type, userId) for registration events, (type, detail...) for event ones: easy to compare."""
    data = event["detail"]["data"]
    kind = event["detail-type"]
    if "userId" in data:
        extra = (data["previousStatus"],) if kind == "Unregistered" else ()
        return (kind, data["userId"], *extra)
    if kind == "EventUpdated":
        return (kind, *(f"{k}:{v['old']}->{v['new']}" for k, v in sorted(data["changes"].items())))
    return (kind,)
