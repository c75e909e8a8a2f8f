"""Where the page token key comes from: PAGE_TOKEN_SECRET locally, the stack's secret in AWS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from event_core import page_token_key
from event_core.errors import InvalidPageToken
from event_core.event_listing import list_events
from event_core.page_token_key import KEY_MAX_AGE_SECONDS, MissingPageTokenKey
from event_core.settings import get_settings
from tests.support.bodies import unique
from tests.support.builders import an_event
from tests.support.environment import REGION


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The functions' environment in AWS: a secret's ARN, no key of their own. Yields the secret's
    ARN, the number of reads so far and the clock the key's age is measured with."""
    client = boto3.client("secretsmanager", region_name=REGION)
    arn = client.create_secret(Name=unique("page-token-key"), SecretString="first-key")["ARN"]
    monkeypatch.delenv("PAGE_TOKEN_SECRET")
    monkeypatch.setenv("PAGE_TOKEN_SECRET_ARN", arn)
    get_settings.cache_clear()
    state: dict[str, Any] = {"arn": arn, "reads": 0, "clock": Clock(), "client": client}
    real_read = page_token_key.secret_value

    def counted(secret_id: str) -> str:
        state["reads"] += 1
        return real_read(secret_id)

    monkeypatch.setattr(page_token_key, "secret_value", counted)
    monkeypatch.setattr(page_token_key, "_clock", state["clock"])
    page_token_key.stored_key.cache_clear()
    yield state
    page_token_key.stored_key.cache_clear()


def list_twice() -> str | None:
    """Page through two events one at a time; the token of the first page."""
    first = list_events(status=None, limit=1, next_token=None)
    list_events(status=None, limit=1, next_token=first.nextToken)
    return first.nextToken


def test_locally_the_key_is_page_token_secret(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAGE_TOKEN_SECRET", "local-key")
    monkeypatch.setenv("PAGE_TOKEN_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:x")
    get_settings.cache_clear()
    assert page_token_key.page_token_key() == b"local-key"


def test_without_a_key_or_a_secret_paging_fails_rather_than_use_a_default(monkeypatch: pytest.MonkeyPatch):
    # Given two events, and neither a key nor a secret
    an_event(), an_event()
    monkeypatch.delenv("PAGE_TOKEN_SECRET")
    get_settings.cache_clear()

    # Then a page that needs a nextToken cannot be made
    with pytest.raises(MissingPageTokenKey):
        list_events(status=None, limit=1, next_token=None)


def test_in_aws_the_key_is_read_at_the_first_listing_and_kept(secret: dict[str, Any]):
    # Given two events, and a function that has listed nothing yet
    an_event(), an_event()
    assert secret["reads"] == 0

    # When it lists them page by page, twice
    list_twice()
    list_twice()

    # Then the secret was read once, and it is the key
    assert secret["reads"] == 1
    assert page_token_key.page_token_key() == b"first-key"


def test_a_new_secret_value_is_used_after_the_keys_period_and_old_tokens_answer_400(secret: dict[str, Any]):
    # Given a token signed with the first key
    an_event(), an_event()
    token = list_twice()

    # When the secret gets a new value (a rotation), within the period the old key is still used
    secret["client"].put_secret_value(SecretId=secret["arn"], SecretString="second-key")
    assert list_events(status=None, limit=1, next_token=token).count == 1

    # And once the period is over, the new one, and tokens signed with the old one are refused
    secret["clock"].now += KEY_MAX_AGE_SECONDS
    with pytest.raises(InvalidPageToken):
        list_events(status=None, limit=1, next_token=token)
    assert page_token_key.page_token_key() == b"second-key"
    assert secret["reads"] == 2
