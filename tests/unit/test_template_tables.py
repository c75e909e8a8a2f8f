"""The tables the tests build come from template.yaml, and hold every index the store queries."""

from __future__ import annotations

from event_core.settings import get_settings
from event_core.store import events, registrations
from tests.support.moto_aws import table_definitions


def index_names(table: str) -> set[str]:
    definition = table_definitions()[table]
    indexes = definition.get("GlobalSecondaryIndexes", []) + definition.get("LocalSecondaryIndexes", [])
    return {index["IndexName"] for index in indexes}


def test_default_table_names_are_the_template_logical_ids(ddb, monkeypatch):
    for name in ("EVENTS_TABLE", "USERS_TABLE", "REGISTRATIONS_TABLE"):
        monkeypatch.delenv(name)
    get_settings.cache_clear()
    settings = get_settings()
    names = {
        settings.events_table,
        settings.users_table,
        settings.registrations_table,
        settings.idempotency_table,
    }
    assert names == set(table_definitions())


def test_every_index_the_store_queries_is_in_the_template():
    assert {events.STATUS_INDEX, events.ORGANIZER_INDEX} <= index_names("EventsTable")
    assert {
        registrations.REGISTERED_INDEX,
        registrations.WAITLIST_INDEX,
        registrations.USER_INDEX,
    } <= index_names("RegistrationsTable")


def test_created_tables_match_the_template(ddb):
    for name, definition in table_definitions().items():
        table = ddb.describe_table(TableName=name)["Table"]
        assert table["KeySchema"] == definition["KeySchema"]
        created = {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])}
        created |= {i["IndexName"] for i in table.get("LocalSecondaryIndexes", [])}
        assert created == index_names(name)
