"""The keyword prefilter: one pass over a file finds every rule keyword (case-insensitive) and where it is.

Hyperscan (Intel's multi-pattern matcher, SIMD, GB/s) is used where its wheel exists; elsewhere a portable
matcher built on RE2's ``Set`` (one DFA pass tells which keywords occur) plus ``bytes.find``/``rfind`` on the
lowered text gives the same answer. Both return, per keyword index, its first and last start offsets — all
the matcher needs to bound each rule's candidate window.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import re2

#: hyperscan reports every occurrence through a Python callback; past this many in one file (a run of
#: "AAAA…" matching a keyword at every offset) the scan stops and the first/last offsets are found with
#: find/rfind instead, so pathological files cost two C-speed searches per keyword, not a callback per byte
MAX_CALLBACKS = 20_000

Span = tuple[int, int]


class Prefilter(Protocol):
    name: str

    def scan(self, data: bytes) -> dict[int, Span]:
        """Keyword index → (first, last) start offsets of its case-insensitive occurrences in ``data``."""
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

        self._fallback = PortablePrefilter(keywords)
        self._terminated: type[Exception] = hyperscan.ScanTerminated

    def scan(self, data: bytes) -> dict[int, Span]:
        hits: dict[int, Span] = {}
        lengths = self._lengths
        calls = [0]

        def on_match(idx: int, _from: int, to: int, _flags: int, _ctx: object) -> bool:
            start = to - lengths[idx]
            cur = hits.get(idx)
            hits[idx] = (start, start) if cur is None else (cur[0], start)
            calls[0] += 1
            return calls[0] > MAX_CALLBACKS  # True stops the scan

        if not data:
            return hits
        try:
            self._db.scan(data, match_event_handler=on_match)
        except self._terminated:
            return self._fallback.scan(data)
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

    def scan(self, data: bytes) -> dict[int, Span]:
        if not data:
            return {}
        present = self._set.Match(data)
        if not present:
            return {}
        lowered = data.lower()
        hits: dict[int, Span] = {}
        for idx in present:
            kw = self._keywords[idx]
            first = lowered.find(kw)
            if first >= 0:
                hits[idx] = (first, lowered.rfind(kw))
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
