"""Alert writers: ``table``, ``jsonl``, ``csv``, ``sarif``; and the ATT&CK Navigator layer (``--attack-layer``).

Each writer is ``write(alerts, context) -> bytes``; output is deterministic (sorted alerts, no wall-clock time).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from garrison.core.alert import Alert
from garrison.core.errors import UsageError

WRITERS: dict[str, str] = {
    "table": "garrison.detect.output.table:write",
    "jsonl": "garrison.detect.output.jsonl:write",
    "csv": "garrison.detect.output.csv:write",
    "sarif": "garrison.detect.output.sarif:write",
}
EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".sarif": "sarif", ".txt": "table"}


@dataclass(frozen=True)
class OutputContext:
    """What writers may show besides the alerts: the rules metadata and the run's summary lines."""

    rules: Sequence[dict[str, Any]] = ()
    summary: Sequence[str] = ()
    color: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


Write = Callable[[Sequence[Alert], OutputContext], bytes]


def available() -> list[str]:
    return sorted(WRITERS)


def get_writer(name: str) -> Write:
    target = WRITERS.get(name)
    if target is None:
        raise UsageError(f"unknown format {name!r} for hunt (available: {', '.join(available())})")
    module, _, attr = target.partition(":")
    fn: Write = getattr(importlib.import_module(module), attr)
    return fn
