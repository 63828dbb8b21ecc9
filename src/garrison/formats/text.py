"""Small text helpers shared by the human-readable writers."""

from __future__ import annotations

from garrison.core.finding import Finding


def one_line(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def where(f: Finding) -> str:
    return f.location.display()
