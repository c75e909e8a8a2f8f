"""Least privilege, proved: each function's policies grant exactly the AWS access its code uses.

For every function, scenarios drive its handler through the branches of its code path (found,
missing, conflicts, waitlists and promotions, paging, deletes and their recovery, Idempotency-Key
first use, replay, reuse and failure...) against moto's DynamoDB with the template's tables.
Every DynamoDB API call the handler makes is recorded at the botocore client and turned into
the permissions it needs (tests/security/iam.py). That set must equal what the function's
`Policies` in template.yaml grant: a missing grant would fail in AWS, an extra one is privilege
the code does not use. A function with DynamoDB grants fails the check until it has scenarios
here; one without (the docs, say) has nothing to prove. Secrets Manager reads are recorded and
compared the same way: every function runs with the page token key's secret in its environment
(PAGE_TOKEN_SECRET_ARN, a moto secret per template secret, named after its logical id), so a
function that reads it without the grant, or has the grant without reading it, fails.

Setup (the "Given" data) goes through the domain outside the recording, so only the handler's
own calls count. Tables are named after their logical ids, as everywhere in the tests.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from event_core import admission as writer
from event_core import events as events_use_cases
from event_core import offers, registration
from event_core.clock import iso, now_iso
from event_core.domain_events import bus
from event_core.ids import queue_partition
from event_core.store import admission, registrations, retry
from event_core.store.transactions import transact
from event_core.waitlist import MAX_PROMOTIONS_PER_WRITE
from local_api.lambda_context import LambdaContext
from local_api.samples import load_sample, sample
from tests.security import iam
from tests.security.rendering import template
from tests.support.bodies import event_body, unique
from tests.support.builders import a_crowd_registered, a_user, an_event, register_all, some_users
from tests.support.clock import FrozenClock
from tests.support.environment import REGION, clear_caches
from tests.support.lambda_runner import Answer, invoke, load_function
from tests.support.moto_aws import function_setup, moto_session

WRITES = ("POST", "PUT", "PATCH", "DELETE")


# ---------------------------------------------------------------- the template's side


@dataclass(frozen=True)
class Function:
    logical_id: str
    directory: str
    routes: tuple[tuple[str, str], ...]
    properties: dict[str, Any]


@cache
def functions() -> dict[str, Function]:
    """The template's functions by code directory (functions/<directory>/)."""
    found = {}
    for logical_id, resource in template()["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        properties = resource["Properties"]
        directory = str(properties["CodeUri"]).strip("/").split("/")[-1]
        routes = tuple(
            (event["Properties"]["Path"], event["Properties"]["Method"].upper())
            for event in (properties.get("Events") or {}).values()
            if event["Type"] == "Api"
        )
        found[directory] = Function(logical_id, directory, routes, properties)
    return found


def secret_names() -> list[str]:
    """The template's Secrets Manager secrets, by logical id (moto's are named after them)."""
    return [
        name
        for name, resource in template()["Resources"].items()
        if resource["Type"] == "AWS::SecretsManager::Secret"
    ]


def page_token_secret() -> str:
    """The one secret the template gives functions as PAGE_TOKEN_SECRET_ARN."""
    (name,) = {
        str(variables["PAGE_TOKEN_SECRET_ARN"]["Ref"])
        for function in functions().values()
        if "PAGE_TOKEN_SECRET_ARN"
        in (variables := function.properties.get("Environment", {}).get("Variables", {}))
    }
    return name


def table_ids() -> dict[str, str]:
    """Table name -> logical id: the tests name every table after its logical id."""
    return {
        name: name
        for name, resource in template()["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }


# ---------------------------------------------------------------- recording the calls


@dataclass
class Lab:
    """Runs handlers with every DynamoDB call recorded; `failing` tables answer an error."""

    client: Any
    secret_ids: dict[str, str] = field(default_factory=dict)  # ARN -> the secret's logical id
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    secret_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    scheduler_calls: list[str] = field(default_factory=list)  # EventBridge Scheduler operations
    failing: set[str] = field(default_factory=set)
    recording: bool = False

    def invoke(self, name: str, event: dict[str, Any]) -> Answer:
        self.recording = True
        try:
            return invoke(name, event)
        finally:
            self.recording = False

    def invoke_raw(self, name: str, event: dict[str, Any]) -> dict[str, Any]:
        """For answers that are not JSON (the docs page and its assets)."""
        self.recording = True
        try:
            return load_function(name).lambda_handler(event, LambdaContext(name, uuid.uuid4().hex))
        finally:
            self.recording = False

    @contextmanager
    def failing_table(self, name: str) -> Iterator[None]:
        """Every call touching the table fails (a 500 for the handler), after being recorded."""
        self.failing.add(name)
        try:
            yield
        finally:
            self.failing.discard(name)

    def on_call(self, operation: str, params: dict[str, Any]) -> None:
        if not self.recording:
            return
        self.calls.append((operation, copy.deepcopy(params)))
        touched = {access.table for access in iam.needed(operation, params, {})}
        if touched & self.failing:
            raise ClientError({"Error": {"Code": "ValidationException", "Message": "injected"}}, operation)

    def on_secret_call(self, operation: str, params: dict[str, Any]) -> None:
        if self.recording:
            self.secret_calls.append((operation, copy.deepcopy(params)))


moto_client = pytest.fixture(scope="module", name="moto_client")(moto_session)


@pytest.fixture(scope="module")
def secret_ids(moto_client: Any) -> dict[str, str]:
    """The template's secrets in moto, named after their logical ids: ARN -> logical id."""
    secrets = boto3.client("secretsmanager", region_name=REGION)
    return {
        secrets.create_secret(Name=name, SecretString=uuid.uuid4().hex)["ARN"]: name
        for name in secret_names()
    }


@pytest.fixture
def lab(moto_client: Any, secret_ids: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    (arn,) = [arn for arn, name in secret_ids.items() if name == page_token_secret()]
    with function_setup(moto_client, monkeypatch, PAGE_TOKEN_SECRET_ARN=arn):
        monkeypatch.delenv("PAGE_TOKEN_SECRET")  # the key comes from the secret, as in AWS
        monkeypatch.setattr(retry.time, "sleep", lambda _: None)
        the_lab = Lab(moto_client, secret_ids)
        make_api_call = BaseClient._make_api_call  # type: ignore[attr-defined]

        def recorded(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            service = client.meta.service_model.service_name
            if service == "dynamodb":
                the_lab.on_call(operation, params)
            elif service == "secretsmanager":
                the_lab.on_secret_call(operation, params)
            elif service == "scheduler" and the_lab.recording:
                the_lab.scheduler_calls.append(operation)
            return make_api_call(client, operation, params)

        monkeypatch.setattr(BaseClient, "_make_api_call", recorded)
        yield the_lab


# ---------------------------------------------------------------- scenarios, per function


def request(name: str, **changes: Any) -> dict[str, Any]:
    return sample(name, **changes)


def keyed(event: dict[str, Any], key: str) -> dict[str, Any]:
    return sample_with_header(event, "Idempotency-Key", key)


def sample_with_header(event: dict[str, Any], name: str, value: str) -> dict[str, Any]:
    event = copy.deepcopy(event)
    event["headers"][name] = value
    event["multiValueHeaders"][name] = [value]
    return event


def idempotency_rounds(lab: Lab, name: str, event: dict[str, Any], other: dict[str, Any], table: str) -> None:
    """First use of a key, its replay, its reuse for another request, and a failed attempt."""
    key = uuid.uuid4().hex
    lab.invoke(name, keyed(event, key))
    lab.invoke(name, keyed(event, key))
    lab.invoke(name, keyed(other, key))
    with lab.failing_table(table):
        assert lab.invoke(name, keyed(other, uuid.uuid4().hex)).status >= 500


def event_with_waitlist(capacity: int = 1, waiting: int = 2) -> tuple[str, list[str]]:
    event_id = an_event(capacity=capacity, waitlist=True)
    people = some_users(capacity + waiting)
    a_crowd_registered(event_id, people)
    return event_id, people


def set_capacity_behind_the_api(lab: Lab, event_id: str, capacity: int) -> None:
    """The state an update leaves when it dies between raising capacity and promoting everyone."""
    lab.client.update_item(
        TableName="EventsTable",
        Key={"eventId": {"S": event_id}},
        UpdateExpression="SET #capacity = :capacity",
        ExpressionAttributeNames={"#capacity": "capacity"},
        ExpressionAttributeValues={":capacity": {"N": str(capacity)}},
    )


def scenario_health(lab: Lab) -> None:
    lab.invoke("health", load_sample("health"))


def scenario_api_info(lab: Lab) -> None:
    lab.invoke("api_info", load_sample("api_info"))


def scenario_docs(lab: Lab) -> None:
    for path, _method in functions()["docs"].routes:
        event = load_sample("docs")
        event.update(resource=path, path=path)
        lab.invoke_raw("docs", event)


def scenario_create_event(lab: Lab) -> None:
    body = event_body(capacity=2, waitlistEnabled=True)
    lab.invoke("create_event", request("create_event", body=body))
    lab.invoke("create_event", request("create_event", body=body))  # 409
    idempotency_rounds(
        lab,
        "create_event",
        request("create_event", body=event_body(capacity=2, waitlistEnabled=True)),
        request("create_event", body=event_body(capacity=2, waitlistEnabled=True)),
        table="EventsTable",
    )


def scenario_list_events(lab: Lab) -> None:
    for _ in range(3):
        an_event()
    first = lab.invoke("list_events", request("list_events", query={"limit": "2"}))
    lab.invoke(
        "list_events", request("list_events", query={"limit": "2", "nextToken": first.body["nextToken"]})
    )
    by_status = lab.invoke("list_events", request("list_events", query={"status": "active", "limit": "1"}))
    lab.invoke(
        "list_events",
        request(
            "list_events", query={"status": "active", "limit": "1", "nextToken": by_status.body["nextToken"]}
        ),
    )
    # One organizer's events in a date range (the builders' events are the organizer "Tests"')
    upcoming = {"from": "2027-01-01", "to": "2028-01-01", "organizer": "Tests", "limit": "2"}
    by_organizer = lab.invoke("list_events", request("list_events", query=upcoming))
    lab.invoke(
        "list_events",
        request("list_events", query={**upcoming, "nextToken": by_organizer.body["nextToken"]}),
    )


def scenario_get_event(lab: Lab) -> None:
    lab.invoke("get_event", request("get_event", path_params={"eventId": an_event()}))
    lab.invoke("get_event", request("get_event", path_params={"eventId": unique("missing")}))


def scenario_update_event(lab: Lab) -> None:
    event_id, _ = event_with_waitlist(capacity=1, waiting=2)
    path = {"eventId": event_id}
    lab.invoke("update_event", request("update_event", path_params=path, body={"title": "Renamed"}))
    lab.invoke("update_event", request("update_event", path_params=path, body={"capacity": 3}))  # promotes
    lab.invoke("update_event", request("update_event", path_params=path, body={"capacity": 1}))  # 409
    stale = sample_with_header(
        request("update_event", path_params=path, body={"title": "Again"}), "If-Match", f'"{event_id}.0"'
    )
    lab.invoke("update_event", stale)  # 412
    lab.invoke("update_event", request("update_event", path_params={"eventId": unique("missing")}))
    # a raise opening more spots than one write fills: the note in the admission queue, then removed
    crowded, _ = event_with_waitlist(capacity=1, waiting=MAX_PROMOTIONS_PER_WRITE + 1)
    raised = {"capacity": MAX_PROMOTIONS_PER_WRITE + 2}
    lab.invoke("update_event", request("update_event", path_params={"eventId": crowded}, body=raised))


def scenario_delete_event(lab: Lab) -> None:
    event_id, _ = event_with_waitlist(capacity=2, waiting=1)
    lab.invoke("delete_event", request("delete_event", path_params={"eventId": event_id}))
    lab.invoke("delete_event", request("delete_event", path_params={"eventId": unique("missing")}))
    # A tombstone left by a delete that died long ago is adopted, purged and removed.
    orphan, _ = event_with_waitlist(capacity=1, waiting=0)
    lab.client.update_item(
        TableName="EventsTable",
        Key={"eventId": {"S": orphan}},
        UpdateExpression="SET deletedAt = :at, deletedBy = :owner REMOVE #status",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":at": {"S": "2020-01-01T00:00:00.000000Z"}, ":owner": {"S": "dead"}},
    )
    lab.invoke("delete_event", request("delete_event", path_params={"eventId": orphan}))


def scenario_set_waitlist(lab: Lab) -> None:
    event_id, _ = event_with_waitlist(capacity=1, waiting=2)
    path = {"eventId": event_id}
    lab.invoke("set_waitlist", request("set_waitlist", path_params=path, body={"waitlistEnabled": False}))
    # An update that died before promoting into the spots it opened: the next write promotes.
    set_capacity_behind_the_api(lab, event_id, 3)
    lab.invoke("set_waitlist", request("set_waitlist", path_params=path, body={"waitlistEnabled": True}))
    lab.invoke("set_waitlist", request("set_waitlist", path_params={"eventId": unique("missing")}))


def scenario_transfer_event(lab: Lab) -> None:
    event_id, _ = event_with_waitlist(capacity=1, waiting=2)
    path = {"eventId": event_id}
    lab.invoke("transfer_event", request("transfer_event", path_params=path))
    # An update that died before promoting into the spots it opened: the next write promotes.
    set_capacity_behind_the_api(lab, event_id, 3)
    body = {"ownerId": unique("organizer")}
    lab.invoke("transfer_event", request("transfer_event", path_params=path, body=body))
    lab.invoke("transfer_event", request("transfer_event", path_params={"eventId": unique("missing")}))


def scenario_create_user(lab: Lab) -> None:
    body = {"userId": unique("user"), "name": "Least Privilege"}
    lab.invoke("create_user", request("create_user", body=body))
    lab.invoke("create_user", request("create_user", body=body))  # 409
    idempotency_rounds(
        lab,
        "create_user",
        request("create_user", body={"userId": unique("user"), "name": "A"}),
        request("create_user", body={"userId": unique("user"), "name": "B"}),
        table="UsersTable",
    )


def scenario_get_user(lab: Lab) -> None:
    lab.invoke("get_user", request("get_user", path_params={"userId": a_user()}))
    lab.invoke("get_user", request("get_user", path_params={"userId": unique("missing")}))


def hold_lease(event_id: str, seconds: float) -> None:
    """Someone else is the event's writer for a while: a registration now queues."""
    assert admission.take_lease(event_id, unique("writer"), seconds)


def queue_behind_the_api(event_id: str, *user_ids: str) -> None:
    for user_id in user_ids:
        admission.enqueue(event_id, user_id, now_iso())


def register_queued(lab: Lab, event_id: str, user_id: str) -> Answer:
    """A registration that finds another writer: it queues, waits for the lease to fall free,
    then admits the queue itself."""
    hold_lease(event_id, 0.05)
    return lab.invoke(
        "register", request("register", path_params={"eventId": event_id}, body={"userId": user_id})
    )


def scenario_register(lab: Lab) -> None:
    # The queued path: a spot, then the waitlist (its position is counted), then a refusal (the
    # event filled up while the request waited) that leaves an outcome in the queue's place.
    queued = an_event(capacity=1, waitlist=True)
    assert register_queued(lab, queued, a_user()).body["status"] == "registered"
    assert register_queued(lab, queued, a_user()).body["waitlistPosition"] == 1
    no_waitlist = an_event(capacity=1, waitlist=False)
    hold_lease(no_waitlist, 0.05)
    queue_behind_the_api(no_waitlist, a_user())
    refused = lab.invoke(
        "register", request("register", path_params={"eventId": no_waitlist}, body={"userId": a_user()})
    )
    assert refused.status == 409, refused.body
    # Spots free while people wait (a raise the writer is still filling): promoted first.
    opened, _ = event_with_waitlist(capacity=1, waiting=2)
    set_capacity_behind_the_api(lab, opened, 3)
    assert (
        lab.invoke(
            "register", request("register", path_params={"eventId": opened}, body={"userId": a_user()})
        ).body["waitlistPosition"]
        == 1
    )
    # The lease is free but people are queued: they go first, this request joins them.
    ahead = an_event(capacity=5, waitlist=True)
    queue_behind_the_api(ahead, a_user())
    assert (
        lab.invoke(
            "register", request("register", path_params={"eventId": ahead}, body={"userId": a_user()})
        ).status
        == 201
    )
    # A rush: the writer has more queued than a batch holds, so the answer is 202 at once.
    rush = an_event(capacity=5, waitlist=True)
    hold_lease(rush, 60)
    lab.client.update_item(
        TableName="EventsTable",
        Key={"eventId": {"S": rush}},
        UpdateExpression="SET backlogged = :on",
        ExpressionAttributeValues={":on": {"BOOL": True}},
    )
    pending = lab.invoke(
        "register", request("register", path_params={"eventId": rush}, body={"userId": a_user()})
    )
    assert pending.status == 202, pending.body

    # The direct path (nobody else registering): a spot, the waitlist, and the refusals.
    event_id = an_event(capacity=1, waitlist=True)
    closed = an_event(capacity=1, waitlist=False)
    path = {"eventId": event_id}
    first, second, third = a_user(), a_user(), a_user()
    lab.invoke("register", request("register", path_params=path, body={"userId": first}))  # a spot
    lab.invoke("register", request("register", path_params=path, body={"userId": second}))  # waitlist
    lab.invoke("register", request("register", path_params=path, body={"userId": second}))  # 409 twice
    lab.invoke("register", request("register", path_params=path, body={"userId": unique("nobody")}))
    lab.invoke(
        "register", request("register", path_params={"eventId": unique("missing")}, body={"userId": third})
    )
    register_all(closed, [first])
    lab.invoke(
        "register", request("register", path_params={"eventId": closed}, body={"userId": third})
    )  # full
    idempotency_rounds(
        lab,
        "register",
        request("register", path_params=path, body={"userId": third}),
        request("register", path_params=path, body={"userId": a_user()}),
        table="RegistrationsTable",
    )


def scenario_unregister(lab: Lab) -> None:
    event_id, (attendee, _first_waiting, second_waiting) = event_with_waitlist(capacity=1, waiting=2)
    solo_event, (solo,) = event_with_waitlist(capacity=1, waiting=0)

    def leave(event: str, user: str) -> None:
        lab.invoke("unregister", request("unregister", path_params={"eventId": event, "userId": user}))

    hold_lease(event_id, 0.05)  # registrations being admitted: it waits for the writer's lease
    leave(event_id, second_waiting)  # leaves the waitlist
    leave(event_id, attendee)  # frees a spot: the head of the waitlist is promoted
    leave(solo_event, solo)  # frees a spot nobody waits for
    leave(event_id, attendee)  # 404, no longer registered
    leave(unique("missing"), attendee)


def an_offer_event(waiting: int) -> tuple[str, str, list[str]]:
    """An offer-mode event whose one attendee left: (event, the person offered, those behind)."""
    event_id = an_event(capacity=1, waitlist=True, waitlistMode="offer", offerHoldSeconds=10)
    holder, offered, *behind = [a_user() for _ in range(2 + waiting)]
    register_all(event_id, [holder, offered, *behind])
    registration.unregister(event_id, holder)
    return event_id, offered, behind


def answer_offer(lab: Lab, name: str, event_id: str, user_id: str) -> Answer:
    return lab.invoke(name, request(name, path_params={"eventId": event_id, "userId": user_id}))


def scenario_accept_offer(lab: Lab) -> None:
    event_id, offered, (waiting,) = an_offer_event(waiting=1)
    hold_lease(event_id, 0.05)  # registrations being admitted: it waits for the writer's lease
    assert answer_offer(lab, "accept_offer", event_id, offered).status == 200
    assert answer_offer(lab, "accept_offer", event_id, offered).status == 200  # again: the same
    assert answer_offer(lab, "accept_offer", event_id, waiting).status == 409  # no offer
    assert answer_offer(lab, "accept_offer", unique("missing"), offered).status == 404


def scenario_decline_offer(lab: Lab) -> None:
    event_id, offered, (second, _third) = an_offer_event(waiting=2)
    solo_event, solo, _ = an_offer_event(waiting=0)
    assert answer_offer(lab, "decline_offer", event_id, offered).body["offeredUserId"] == second
    assert answer_offer(lab, "decline_offer", solo_event, solo).body["offeredUserId"] is None
    assert answer_offer(lab, "decline_offer", event_id, offered).status == 404
    assert answer_offer(lab, "decline_offer", unique("missing"), offered).status == 404


def scenario_expire_offer(lab: Lab) -> None:
    event_id, offered, (second,) = an_offer_event(waiting=1)
    solo_event, solo, _ = an_offer_event(waiting=0)
    later = iso(datetime.now(UTC) + timedelta(seconds=11))
    hold_lease(event_id, 0.05)  # registrations being admitted: it waits for the writer's lease
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(offers, "now_iso", lambda: later)
        for event, user in ((event_id, offered), (solo_event, solo)):
            offer_id = registrations.get(event, user).offer_id  # type: ignore[union-attr]
            expiry = {"eventId": event, "userId": user, "offerId": offer_id}
            assert lab.invoke_raw("expire_offer", expiry) == {"expired": True}
            assert lab.invoke_raw("expire_offer", expiry) == {"expired": False}
    assert registrations.get(event_id, second).status == "offered"  # type: ignore[union-attr]


def scenario_get_registration(lab: Lab) -> None:
    event_id, (attendee, waiting) = event_with_waitlist(capacity=1, waiting=1)

    def read(event: str, user: str, request_id: str | None = None) -> Answer:
        query = {"request": request_id} if request_id else None
        path = {"eventId": event, "userId": user}
        return lab.invoke("get_registration", request("get_registration", path_params=path, query=query))

    assert read(event_id, attendee).status == 200
    assert read(event_id, waiting).body["waitlistPosition"] == 1
    assert read(event_id, a_user()).status == 404  # not registered
    assert read(unique("missing"), attendee).status == 404
    # A queued request (?request=, the 202's Location): still waiting, placed, or refused.
    closed = an_event(capacity=1, waitlist=False)
    first, second, third = a_user(), a_user(), a_user()
    requests = {}
    for user in (first, second, third):
        requests[user] = admission.enqueue(closed if user != third else event_id, user, now_iso()).key
    request_ids = {user: key.split("#", 1)[0] for user, key in requests.items()}
    assert read(closed, first, request_ids[first]).status == 202
    writer.keep_admitting(closed, seconds=5)
    writer.keep_admitting(event_id, seconds=5)
    assert read(closed, first, request_ids[first]).status == 200
    assert read(closed, second, request_ids[second]).status == 409  # full, no waitlist
    assert read(event_id, third, request_ids[third]).body["waitlistPosition"] == 2
    assert read(closed, a_user(), request_ids[first]).status == 404  # not their request
    assert read(unique("missing"), first, request_ids[first]).status == 404


def scenario_check_in(lab: Lab) -> None:
    event_id, (attendee, waiting) = event_with_waitlist(capacity=1, waiting=1)  # on 2031-05-01

    def check_in(event: str, user: str) -> Answer:
        return lab.invoke("check_in", request("check_in", path_params={"eventId": event, "userId": user}))

    with pytest.MonkeyPatch.context() as monkeypatch:
        FrozenClock(monkeypatch).set("2031-04-30T12:00:00Z")  # the doors open a day before
        assert check_in(event_id, attendee).status == 200
        assert check_in(event_id, attendee).status == 200  # again: read, nothing written
        assert check_in(event_id, waiting).status == 409
        assert check_in(event_id, a_user()).status == 404
        assert check_in(event_id, "not an id").status == 404  # no key read: the event alone
        assert check_in(unique("missing"), attendee).status == 404


def queue_records(event_id: str) -> list[dict[str, Any]]:
    """The stream's INSERT records of the event's queued requests."""
    items = boto3.client("dynamodb", region_name=REGION).query(
        TableName="RegistrationsTable",
        KeyConditionExpression="eventId = :queue",
        ExpressionAttributeValues={":queue": {"S": queue_partition(event_id)}},
    )["Items"]
    return [stream_record("INSERT", "RegistrationsTable", None, item) for item in items]


def scenario_admission(lab: Lab) -> None:
    # Requests queued at an event with a waitlist (spots, then the waitlist) and at one without
    # (refusals); a writer that holds the event for a moment more; a registration row's record
    # (no queue item: ignored); then the same batch again (Lambda delivers at least once).
    waitlisted, no_waitlist = an_event(capacity=1, waitlist=True), an_event(capacity=1, waitlist=False)
    queue_behind_the_api(waitlisted, a_user(), a_user(), a_user())
    queue_behind_the_api(no_waitlist, a_user(), a_user())
    hold_lease(waitlisted, 0.05)
    records = queue_records(waitlisted) + queue_records(no_waitlist)
    # a capacity raise's note: the writer promotes the waitlist's head into the free spots
    opened, _ = event_with_waitlist(capacity=1, waiting=2)
    set_capacity_behind_the_api(lab, opened, 3)
    transact([admission.promotions_note(opened, now_iso())[1]])
    records += queue_records(opened)
    other, _ = event_with_waitlist(capacity=1, waiting=0)
    (row,) = lab.client.query(
        TableName="RegistrationsTable",
        KeyConditionExpression="eventId = :e",
        ExpressionAttributeValues={":e": {"S": other}},
    )["Items"]
    records.append(stream_record("INSERT", "RegistrationsTable", None, row))
    # a delete that died after its tombstone: finished once stale (0 s here)
    interrupted, _ = event_with_waitlist(capacity=1, waiting=1)
    before = lab.client.get_item(TableName="EventsTable", Key={"eventId": {"S": interrupted}})["Item"]
    tombstone = {**before, "deletedAt": {"S": now_iso()}, "deletedBy": {"S": "a-delete-that-died"}}
    lab.client.put_item(TableName="EventsTable", Item=tombstone)
    records.append(stream_record("MODIFY", "EventsTable", before, tombstone))
    # an offer made (offer mode): its expiry is scheduled, once
    offer_event, offered, _ = an_offer_event(waiting=0)
    offer = lab.client.get_item(
        TableName="RegistrationsTable", Key={"eventId": {"S": offer_event}, "userId": {"S": offered}}
    )["Item"]
    waiting = {**{k: v for k, v in offer.items() if k in ("eventId", "userId", "registeredAt")}}
    records.append(
        stream_record("MODIFY", "RegistrationsTable", {**waiting, "status": {"S": "waitlisted"}}, offer)
    )
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(events_use_cases, "STALE_DELETE_SECONDS", 0)
        patched.setenv("OFFER_EXPIRY_TARGET_ARN", "arn:aws:lambda:us-east-1:123456789012:function:expire")
        patched.setenv("OFFER_SCHEDULER_ROLE_ARN", "arn:aws:iam::123456789012:role/expiry")
        clear_caches()
        lab.invoke_raw("admission", {"Records": records})
        lab.invoke_raw("admission", {"Records": records})
    clear_caches()
    assert queue_records(waitlisted) == []
    assert "Item" not in lab.client.get_item(TableName="EventsTable", Key={"eventId": {"S": interrupted}})
    assert queue_records(opened) == []
    assert len(queue_records(no_waitlist)) == 1  # the refusal's outcome, until it expires


def scenario_list_event_registrations(lab: Lab) -> None:
    event_id, _ = event_with_waitlist(capacity=2, waiting=2)
    name = "list_event_registrations"
    token = None
    while True:
        query = {"limit": "1", **({"nextToken": token} if token else {})}
        page = lab.invoke(name, request(name, path_params={"eventId": event_id}, query=query))
        token = page.body.get("nextToken")
        if not token:
            break
    lab.invoke(name, request(name, path_params={"eventId": unique("missing")}))


def scenario_list_user_registrations(lab: Lab) -> None:
    user = a_user()
    full, _ = event_with_waitlist(capacity=1, waiting=1)
    register_all(full, [user])  # waitlisted: its position is counted
    register_all(an_event(), [user])
    name = "list_user_registrations"
    first = lab.invoke(name, request(name, path_params={"userId": user}, query={"limit": "1"}))
    lab.invoke(
        name,
        request(
            name, path_params={"userId": user}, query={"limit": "1", "nextToken": first.body["nextToken"]}
        ),
    )
    lab.invoke(name, request(name, path_params={"userId": unique("missing")}))


def stream_record(
    kind: str, table: str, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> dict[str, Any]:
    image = {name: value for name, value in (new or old or {}).items() if name in ("eventId", "userId")}
    change: dict[str, Any] = {
        "Keys": image,
        "SequenceNumber": uuid.uuid4().int.__str__()[:20],
        "SizeBytes": 100,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
        "ApproximateCreationDateTime": 1807360496,
    }
    if old:
        change["OldImage"] = old
    if new:
        change["NewImage"] = new
    return {
        "eventID": uuid.uuid4().hex,
        "eventName": kind,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": change,
        "eventSourceARN": f"arn:aws:dynamodb:{REGION}:123456789012:table/{table}/stream/2027-01-01T00:00:00",
    }


def scenario_stream_processor(lab: Lab) -> None:
    events_client = boto3.client("events", region_name=REGION)
    if bus.bus_name() not in {b["Name"] for b in events_client.list_event_buses()["EventBuses"]}:
        events_client.create_event_bus(Name=bus.bus_name())
    event_id, _ = event_with_waitlist(capacity=1, waiting=1)
    rows = lab.client.query(
        TableName="RegistrationsTable",
        KeyConditionExpression="eventId = :e",
        ExpressionAttributeValues={":e": {"S": event_id}},
    )["Items"]
    event_row = lab.client.get_item(TableName="EventsTable", Key={"eventId": {"S": event_id}})["Item"]
    records = [stream_record("INSERT", "RegistrationsTable", None, row) for row in rows]
    records += [stream_record("REMOVE", "RegistrationsTable", row, None) for row in rows]
    records.append(stream_record("MODIFY", "EventsTable", event_row, event_row))
    lab.invoke_raw("stream_processor", {"Records": records})


SCENARIOS: dict[str, Callable[[Lab], None]] = {
    "health": scenario_health,
    "api_info": scenario_api_info,
    "docs": scenario_docs,
    "create_event": scenario_create_event,
    "list_events": scenario_list_events,
    "get_event": scenario_get_event,
    "update_event": scenario_update_event,
    "delete_event": scenario_delete_event,
    "set_waitlist": scenario_set_waitlist,
    "transfer_event": scenario_transfer_event,
    "create_user": scenario_create_user,
    "get_user": scenario_get_user,
    "register": scenario_register,
    "unregister": scenario_unregister,
    "accept_offer": scenario_accept_offer,
    "decline_offer": scenario_decline_offer,
    "expire_offer": scenario_expire_offer,
    "get_registration": scenario_get_registration,
    "check_in": scenario_check_in,
    "admission": scenario_admission,
    "list_event_registrations": scenario_list_event_registrations,
    "list_user_registrations": scenario_list_user_registrations,
    "stream_processor": scenario_stream_processor,
}


def code_path_extras(needed: set[iam.Access]) -> set[iam.Access]:
    """Calls the code can make that no scenario reaches on moto (the static part of the list).

    Powertools idempotency reads a record with GetItem only when a failed conditional PutItem
    does not return the existing record (ReturnValuesOnConditionCheckFailure), which DynamoDB
    does and moto does too; the fallback is still part of the code path of every function that
    writes idempotency records.
    """
    if any(access.table == "IdempotencyTable" for access in needed):
        return {iam.Access("GetItem", "IdempotencyTable")}
    return set()


def granted_actions(properties: dict[str, Any], service: str) -> set[str]:
    """The `service:` actions a function's policy statements allow."""
    found: set[str] = set()
    for policy in properties.get("Policies") or []:
        statements = policy.get("Statement", []) if isinstance(policy, dict) else []
        for statement in [statements] if isinstance(statements, dict) else statements:
            actions = statement.get("Action", [])
            found |= {
                a for a in ([actions] if isinstance(actions, str) else actions) if a.startswith(f"{service}:")
            }
    return found


def describe(accesses: set[iam.Access] | set[iam.SecretAccess]) -> str:
    return "\n  ".join(sorted(map(str, accesses))) or "(none)"


# ---------------------------------------------------------------- the checks


@pytest.mark.parametrize("directory", sorted(functions()))
def test_policies_grant_exactly_the_dynamodb_access_the_code_uses(lab: Lab, directory: str):
    # Given the function's grants in template.yaml
    function = functions()[directory]
    granted = iam.grants(function.properties)
    if directory not in SCENARIOS:
        # Without grants there is no privilege to prove unused (a call it needs would fail in
        # AWS, but that is not a security question); with some, scenarios must show them.
        missing_scenarios = f"add scenarios for functions/{directory} to {__name__}.SCENARIOS"
        assert not granted.dynamodb, f"{function.logical_id} may use DynamoDB: {missing_scenarios}"
        assert not granted.secrets, f"{function.logical_id} may read a secret: {missing_scenarios}"
        pytest.skip(f"{function.logical_id}: no DynamoDB or secret grants and no scenarios")

    # When its handler runs through its scenarios
    SCENARIOS[directory](lab)

    # Then the permissions its calls needed are exactly those granted
    needed = iam.needed_by(lab.calls, table_ids())
    needed |= code_path_extras(needed)
    assert not granted.problems, "\n".join(granted.problems)
    assert (needed - granted.dynamodb, granted.dynamodb - needed) == (set(), set()), (
        f"{function.logical_id}:\n missing (AccessDenied in AWS):\n  {describe(needed - granted.dynamodb)}"
        f"\n unused (excess privilege):\n  {describe(granted.dynamodb - needed)}"
    )
    # And so are its EventBridge Scheduler calls (the offers' expiries)
    scheduler_needed = {f"scheduler:{operation}" for operation in lab.scheduler_calls}
    assert scheduler_needed == granted_actions(function.properties, "scheduler"), function.logical_id
    # And so are its secret reads (only the listings read one: the page token key)
    secrets_needed = iam.secrets_needed_by(lab.secret_calls, lab.secret_ids)
    assert (secrets_needed - granted.secrets, granted.secrets - secrets_needed) == (set(), set()), (
        f"{function.logical_id}:\n missing:\n  {describe(secrets_needed - granted.secrets)}"
        f"\n unused:\n  {describe(granted.secrets - secrets_needed)}"
    )


@pytest.mark.parametrize("directory", sorted(functions()))
def test_no_wildcards_and_read_only_routes_cannot_write(directory: str):
    function = functions()[directory]
    granted = iam.grants(function.properties)

    assert not granted.problems, "\n".join(granted.problems)
    if function.routes and not any(method in WRITES for _, method in function.routes):
        writes = {access for access in granted.dynamodb if access.action not in iam.READ_ACTIONS}
        assert not writes, f"{function.logical_id} serves only reads but may write:\n  {describe(writes)}"


def test_the_scenarios_are_for_functions_of_the_template():
    assert set(SCENARIOS) <= set(functions()), "scenarios for functions the template no longer has"


def test_the_mapping_from_calls_to_permissions():
    ids = {"Events-abc": "EventsTable", "Regs-abc": "RegistrationsTable", "Users-abc": "UsersTable"}
    transact = {
        "TransactItems": [
            {"ConditionCheck": {"TableName": "Users-abc"}},
            {"Put": {"TableName": "Regs-abc"}},
            {"Update": {"TableName": "Events-abc"}},
            {"Delete": {"TableName": "Regs-abc"}},
        ]
    }
    assert iam.needed("TransactWriteItems", transact, ids) == {
        iam.Access("ConditionCheckItem", "UsersTable"),
        iam.Access("PutItem", "RegistrationsTable"),
        iam.Access("UpdateItem", "EventsTable"),
        iam.Access("DeleteItem", "RegistrationsTable"),
    }
    batch: dict[str, Any] = {"RequestItems": {"Events-abc": {}, "Regs-abc": {}}}
    assert iam.needed("BatchGetItem", batch, ids) == {
        iam.Access("BatchGetItem", "EventsTable"),
        iam.Access("BatchGetItem", "RegistrationsTable"),
    }
    query = {"TableName": "Regs-abc", "IndexName": "waitlist-index"}
    assert iam.needed("Query", query, ids) == {iam.Access("Query", "RegistrationsTable", "waitlist-index")}


def test_policy_parsing_flags_wildcards_and_broad_policies():
    properties = {
        "Policies": [
            "AmazonDynamoDBFullAccess",
            {"DynamoDBCrudPolicy": {"TableName": {"Ref": "EventsTable"}}},
            {"Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]},
            {
                "Statement": {
                    "Effect": "Allow",
                    "Action": ["dynamodb:Query"],
                    "Resource": {"Fn::Sub": "${RegistrationsTable.Arn}/index/user-index"},
                }
            },
        ]
    }
    granted = iam.grants(properties)
    assert len(granted.problems) == 5, json.dumps(granted.problems, indent=1)
    assert iam.Access("Query", "RegistrationsTable", "user-index") in granted.dynamodb
