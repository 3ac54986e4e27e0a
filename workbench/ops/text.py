"""Plain-text tables for a terminal or an e-mail: Chinese characters take two columns."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from workbench.store import safe_url

__all__ = ["duration", "safe_url", "table", "width"]


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide and full-width characters count twice)."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Lines of an aligned table (the last column is not padded)."""
    widths = [max([width(h), *(width(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    lines = []
    for cells in [list(headers), *[list(r) for r in rows]]:
        padded = [c + " " * (widths[i] - width(c)) for i, c in enumerate(cells[:-1])]
        lines.append((indent + "  ".join([*padded, cells[-1]])).rstrip())
    return lines


def duration(seconds: float | None) -> str:
    """``1小时12分``, ``3分5秒``, ``42秒``; ``—`` when unknown."""
    if seconds is None or seconds < 0:
        return "—"
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}小时{minutes}分"
    if minutes:
        return f"{minutes}分{secs}秒"
    return f"{secs}秒"
