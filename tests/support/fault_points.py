"""Deterministic fault points: a process killed, or DynamoDB refusing, at a chosen write."""

from __future__ import annotations

from typing import Any

import pytest


def dying_at(monkeypatch: pytest.MonkeyPatch, module: Any, write: int, error: Exception) -> None:
    """`module`'s transactions from the `write`-th on (0-based) fail with `error`."""
    real = module.transact
    calls: list[int] = []

    def transact(actions: Any) -> None:
        calls.append(len(actions))
        if len(calls) > write:
            raise error
        real(actions)

    monkeypatch.setattr(module, "transact", transact)
