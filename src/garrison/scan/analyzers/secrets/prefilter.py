"""The keyword prefilter: one pass over a file finds every rule keyword (case-insensitive) and where it is.

Hyperscan (Intel's multi-pattern matcher, SIMD, GB/s) is used where its wheel exists; elsewhere a portable
matcher built on RE2's ``Set`` (one DFA pass tells which keywords occur) plus ``bytes.find`` on the lowered
text gives the same answer. Both return, per keyword index, the start offsets of its occurrences.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import re2

#: at most this many hits per keyword are kept per file (windows merge anyway; bounds memory and time)
MAX_HITS_PER_KEYWORD = 4096


class Prefilter(Protocol):
    name: str

    def scan(self, data: bytes) -> dict[int, list[int]]:
        """Keyword index → start offsets (ascending) of its case-insensitive occurrences in ``data``."""
        ...


class HyperscanPrefilter:
    name = "hyperscan"

    def __init__(self, keywords: Sequence[bytes]) -> None:
        import hyperscan

        self._lengths = [len(k) for k in keywords]
        self._db: Any = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self._db.compile(
            expressions=list(keywords),
            ids=list(range(len(keywords))),
            elements=len(keywords),
            flags=[hyperscan.HS_FLAG_CASELESS] * len(keywords),
            literal=True,
        )

    def scan(self, data: bytes) -> dict[int, list[int]]:
        hits: dict[int, list[int]] = {}
        lengths = self._lengths

        def on_match(idx: int, _from: int, to: int, _flags: int, _ctx: object) -> bool:
            lst = hits.get(idx)
            if lst is None:
                hits[idx] = [to - lengths[idx]]
            elif len(lst) < MAX_HITS_PER_KEYWORD:
                lst.append(to - lengths[idx])
            return False

        if data:
            self._db.scan(data, match_event_handler=on_match)
        return hits


class PortablePrefilter:
    """RE2 ``Set`` says which keywords occur (one linear pass); ``find`` on the lowered bytes says where."""

    name = "re2-set"

    def __init__(self, keywords: Sequence[bytes]) -> None:
        self._keywords = [k.lower() for k in keywords]
        opts = re2.Options()
        opts.case_sensitive = False
        opts.max_mem = 256 << 20
        self._set: Any = re2.Set.SearchSet(opts)
        for k in self._keywords:
            self._set.Add(re2.escape(k))
        self._set.Compile()

    def scan(self, data: bytes) -> dict[int, list[int]]:
        if not data:
            return {}
        present = self._set.Match(data)
        if not present:
            return {}
        lowered = data.lower()
        hits: dict[int, list[int]] = {}
        for idx in present:
            kw = self._keywords[idx]
            found: list[int] = []
            pos = lowered.find(kw)
            while pos >= 0 and len(found) < MAX_HITS_PER_KEYWORD:
                found.append(pos)
                pos = lowered.find(kw, pos + 1)
            if found:
                hits[idx] = found
        return hits


def build_prefilter(keywords: Sequence[bytes], prefer: str = "auto") -> Prefilter:
    """The fastest matcher available: hyperscan unless ``prefer`` says otherwise or it is not installed."""
    if prefer in ("auto", "hyperscan") and keywords:
        try:
            return HyperscanPrefilter(keywords)
        except ImportError:
            if prefer == "hyperscan":
                raise
    return PortablePrefilter(keywords)
