"""Rule files -> RuleSet, through the on-disk cache when it holds this exact set of files."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from garrison.detect import rules as rules_mod
from garrison.detect.cache import RulesetCache, cache_key
from garrison.detect.ruleset import RuleSet, build


@dataclass
class LoadInfo:
    files: int
    seconds: float
    cached: bool
    cache_warning: str | None = None


def load_ruleset(paths: Sequence[Path], *, cache: RulesetCache | None = None) -> tuple[RuleSet, LoadInfo]:
    t0 = time.perf_counter()
    files = rules_mod.collect(paths)
    digest = files.digest()
    key = cache_key(digest)
    doc = cache.load(key) if cache is not None else None
    if doc is not None and doc.get("digest") == digest:
        rs = RuleSet.from_json(doc)
        cached = True
    else:
        parsed = rules_mod.parse(files.files)
        parsed.problems[:0] = files.problems
        rs = build(parsed, digest)
        cached = False
        if cache is not None:
            cache.store(key, rs.to_json())

    def reparse() -> list[Any]:
        return list(rules_mod.parse(files.files).collection.rules)

    rs.reparse = reparse
    info = LoadInfo(len(files.files), time.perf_counter() - t0, cached, cache.warning if cache else None)
    return rs, info


def save_variants(rs: RuleSet, cache: RulesetCache | None) -> None:
    """Persist variant IR compiled lazily during a run."""
    if cache is not None and rs.dirty:
        cache.store(cache_key(rs.digest), rs.to_json())
        rs.dirty = False
