"""Redaction of sensitive values. Every writer shows redacted values unless the user opted in."""

from __future__ import annotations

KEEP = 4


def redact(secret: str, keep: int = KEEP) -> str:
    """Show the first ``keep`` characters and the length: ``AKIA…[20 chars]``.

    Short values (≤ 2 × keep characters) keep nothing: showing half a short secret is showing it.
    """
    n = len(secret)
    shown = secret[:keep] if n > 2 * keep else ""
    return f"{shown}…[{n} chars]"
