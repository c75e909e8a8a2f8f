"""The environment the template gives the functions, as the tests run them in this process.

One set of values for every backend (moto or DynamoDB Local, which runs -sharedDb, so any dummy
credentials see the same tables); a fixture adds what only it knows (DYNAMODB_ENDPOINT, the bus)
and resets event_core's cached settings and clients so that the next call reads them.
"""

from __future__ import annotations

import pytest

from tests.support.page_tokens import TEST_PAGE_TOKEN_KEY

REGION = "us-east-1"
# The Metrics object reads its namespace once, when event_core is first imported (tests/conftest.py
# sets it in os.environ before that, so this module imports event_core only when called): the
# functions' business metrics need one to flush.
METRICS_NAMESPACE = "EventManagement"
TABLE_ENVIRONMENT = {
    "EVENTS_TABLE": "EventsTable",
    "USERS_TABLE": "UsersTable",
    "REGISTRATIONS_TABLE": "RegistrationsTable",
}
FUNCTION_ENVIRONMENT = {
    **TABLE_ENVIRONMENT,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
    "POWERTOOLS_SERVICE_NAME": "event-management-api",
    "PAGE_TOKEN_SECRET": TEST_PAGE_TOKEN_KEY,
}
# Unset so that the code under test sees defaults, whatever the outer shell exported.
UNSET = (
    "DYNAMODB_ENDPOINT",
    "EVENT_BUS_NAME",
    "AUTH_MODE",
    "ORGANIZER_GROUP",
    "ADMIN_GROUP",
    "ALLOWED_ORIGINS",
    "PAGE_TOKEN_SECRET_ARN",
    "MAX_BODY_BYTES",
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
)


def clear_caches() -> None:
    """Forget event_core's cached settings, clients and keys, so the next call sees the current
    environment (and mock)."""
    from event_core.domain_events import bus
    from event_core.page_token_key import stored_key
    from event_core.settings import get_settings
    from event_core.store.client import dynamodb
    from event_core.store.schedules import scheduler
    from event_core.store.secrets import secretsmanager

    get_settings.cache_clear()
    dynamodb.cache_clear()
    scheduler.cache_clear()
    secretsmanager.cache_clear()
    stored_key.cache_clear()
    bus.bus_name.cache_clear()


def use_function_environment(monkeypatch: pytest.MonkeyPatch, **more: str) -> dict[str, str]:
    """Set the functions' environment (and `more`) for this test; return what was set."""
    values = {**FUNCTION_ENVIRONMENT, **more}
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    clear_caches()
    return values
