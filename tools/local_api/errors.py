"""Errors the command line reports as one line (anything else is a bug: full traceback)."""

from __future__ import annotations


class LocalApiError(RuntimeError):
    pass
