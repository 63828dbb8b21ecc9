"""Alert writers: ``table``, ``jsonl``, ``csv``, ``sarif``; and the ATT&CK Navigator layer (``--attack-layer``).

Each writer is ``write(alerts, context) -> Iterator[bytes]`` (chunks, so a million alerts never sit in memory as
one string); output is deterministic (sorted alerts, no wall-clock time).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
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


Write = Callable[[Sequence[Alert], OutputContext], Iterator[bytes]]


def available() -> list[str]:
    return sorted(WRITERS)


def get_writer(name: str) -> Write:
    target = WRITERS.get(name)
    if target is None:
        raise UsageError(f"unknown format {name!r} for hunt (available: {', '.join(available())})")
    module, _, attr = target.partition(":")
    fn: Write = getattr(importlib.import_module(module), attr)
    return fn


def write_chunks(path: str | None, chunks: Iterator[bytes]) -> None:
    """Chunks to stdout, or to ``path`` through a temporary file renamed into place (never half a file)."""
    import os
    import sys
    from pathlib import Path

    from garrison.core.errors import InputError

    if path is None or path == "-":
        out = sys.stdout.buffer
        for chunk in chunks:
            out.write(chunk)
        out.flush()
        return
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write: {exc.strerror or exc}", path=path) from None
