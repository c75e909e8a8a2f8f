"""DYNAMODB_MODEL switches the model on for `make dev`; the whole API works through it."""

from __future__ import annotations

import re

import pytest
import requests

from dynamodb_model.switch import model_requested
from local_api import free_port, serve_in_background
from tests.support.bodies import event_body


@pytest.mark.parametrize(("value", "on"), [("", False), ("local", False), ("off", False), ("AWS", True)])
def test_the_switch_reads_dynamodb_model(value, on):
    assert model_requested({"DYNAMODB_MODEL": value}) is on


def test_an_unknown_model_is_refused_by_name():
    with pytest.raises(ValueError, match="'aws' or 'local'"):
        model_requested({"DYNAMODB_MODEL": "dynamo"})


def test_the_local_api_serves_through_the_model_when_switched_on(ddb_endpoint, tmp_path):
    log_path = tmp_path / "server.log"
    with serve_in_background(
        free_port(), ddb_endpoint, log_path=log_path, environment={"DYNAMODB_MODEL": "aws"}
    ) as server:
        base = server.url
        user = requests.post(f"{base}/users", json={"userId": "model-switch-u1", "name": "Ana"}, timeout=60)
        event = requests.post(
            f"{base}/events", json=event_body(eventId="model-switch-e1", capacity=1), timeout=60
        )
        placed = requests.post(
            f"{base}/events/model-switch-e1/registrations", json={"userId": "model-switch-u1"}, timeout=60
        )
        log = server.log()

    assert (user.status_code, event.status_code, placed.status_code) == (201, 201, 201)
    assert placed.json()["status"] == "registered"
    model = re.search(r"DynamoDB model: (http://\S+) in front of", log)
    assert model is not None, log[-2000:]
    assert model.group(1) != ddb_endpoint
