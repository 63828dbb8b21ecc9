"""Inline suppression inside a resource's lines.

``# garrison:ignore <check-id>[,<check-id>] <reason>`` (also ``//`` comments) anywhere between a resource's
first and last line suppresses those checks for that resource; ``checkov:skip=<CKV_ID>:<reason>`` is accepted
for migration and translated through the Checkov mapping table. Suppressed findings are kept with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

_GARRISON = re.compile(r"garrison:ignore[ \t]*[:=]?[ \t]*([A-Za-z0-9_.*\-/,]+)?[ \t]*(.*)")
_CHECKOV = re.compile(r"checkov:skip=([A-Za-z0-9_]+)(?::(.*))?")


@dataclass(frozen=True, slots=True)
class Marker:
    patterns: tuple[str, ...]  # garrison check ids or globs; empty = every check
    reason: str
    line: int
    via: str  # "garrison" | "checkov"


def markers_in(lines: Sequence[str], start: int, end: int, checkov_map: Mapping[str, Sequence[str]]) -> list[Marker]:
    """Markers on lines ``start..end`` (1-based, inclusive)."""
    out: list[Marker] = []
    for n in range(max(start, 1), min(end, len(lines)) + 1):
        text = lines[n - 1]
        if "garrison:ignore" in text:
            m = _GARRISON.search(text)
            if m:
                ids = tuple(p for p in (m.group(1) or "").split(",") if p)
                out.append(Marker(ids, (m.group(2) or "").strip(), n, "garrison"))
        if "checkov:skip=" in text:
            for m in _CHECKOV.finditer(text):
                ckv = m.group(1)
                mapped = tuple(checkov_map.get(ckv, ()))
                if mapped:
                    out.append(Marker(mapped, (m.group(2) or "").strip(), n, f"checkov:{ckv}"))
    return out


def matching(markers: Sequence[Marker], check_id: str) -> Marker | None:
    for m in markers:
        if not m.patterns or any(fnmatchcase(check_id, p) for p in m.patterns):
            return m
    return None
