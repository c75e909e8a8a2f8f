"""Printing results as Markdown tables (readable in a terminal, pasteable into BENCHMARKS.md)."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence


def ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def s3(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds:.3f}"


def x(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}x"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], numeric_from: int = 1) -> str:
    """A Markdown table; columns from `numeric_from` on are right-aligned."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        padded = [
            cell.rjust(width) if i >= numeric_from else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * (w - 1) + ":" if i >= numeric_from else "-" * w for i, w in enumerate(widths)]
    return "\n".join([line(cells[0]), "| " + " | ".join(rule) + " |", *(line(r) for r in cells[1:])])


def section(title: str, body: str, notes: Sequence[str] = ()) -> None:
    print(f"\n## {title}\n")
    print(body)
    if notes:
        print()
        for note in notes:
            print(f"- {note}")
    sys.stdout.flush()


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)
