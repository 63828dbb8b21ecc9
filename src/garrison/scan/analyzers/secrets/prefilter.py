"""The prefilter: one pass over a file decides which rules are worth a regex, and where.

Every rule has keywords (gitleaks semantics: a rule runs only if one of its keywords occurs, case-insensitively).
With hyperscan (Intel's SIMD multi-pattern matcher) the keywords *and* every rule's regex, compiled in
hyperscan's prefilter mode — an over-approximation that never misses a match — go into one database: a single
scan says which keywords occur and which rules could match at all, so RE2 confirms only those (on a typical
source file: none). Where the hyperscan wheel does not exist, a portable prefilter built on RE2's ``Set``
(one DFA pass tells which keywords occur) plus ``bytes.find``/``rfind`` bounds each rule to the lines between
its first and last keyword.

The compiled hyperscan database is cached (``$GARRISON_CACHE_DIR``, else ``$XDG_CACHE_HOME/garrison`` or
``~/.cache/garrison``), keyed by a hash of the patterns and the hyperscan version, so a scan does not pay the
compile on every start.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import re2

Window = tuple[int, int]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """What the prefilter needs to know about one rule."""

    keywords: tuple[str, ...]  # lowercase; empty: the rule always runs (on the whole file)
    regex: str | None  # the rule's pattern, for hyperscan's prefilter mode (None: not filtered by regex)
    whole_file: bool  # gitleaks semantics: a keyword anywhere → the regex runs over the whole file
    multiline: bool  # its matches may span lines (window runs to the end of the file)


class Prefilter(Protocol):
    name: str

    def candidates(self, data: bytes) -> dict[int, Window]:
        """Rule index → the byte window its regex must search (rules not returned cannot match)."""
        ...


class _Keywords:
    """Keyword → rules index shared by both prefilters."""

    def __init__(self, specs: Sequence[RuleSpec]) -> None:
        self.specs = list(specs)
        index: dict[str, int] = {}
        self.kw_rules: list[list[int]] = []
        self.always: list[int] = []
        for r, spec in enumerate(self.specs):
            if not spec.keywords:
                self.always.append(r)
                continue
            for kw in spec.keywords:
                k = index.setdefault(kw, len(index))
                if k == len(self.kw_rules):
                    self.kw_rules.append([])
                self.kw_rules[k].append(r)
        self.keywords = [k.encode() for k in index]

    def window(self, r: int, data: bytes, lo: int, hi: int) -> Window:
        spec, n = self.specs[r], len(data)
        if spec.whole_file:
            return (0, n)
        start = data.rfind(b"\n", 0, lo) + 1
        if spec.multiline:
            return (start, n)
        end = data.find(b"\n", hi)
        # one past the newline: RE2 sees `$` only at the real end of the text, so a trailing boundary such
        # as (?:[^A-Za-z0-9]|$) must be able to consume the newline itself
        return (start, n if end < 0 else end + 1)


class PortablePrefilter:
    """Keywords through an RE2 ``Set`` (one linear pass), their first/last offsets through find/rfind."""

    name = "re2-set"

    def __init__(self, specs: Sequence[RuleSpec]) -> None:
        self._kw = _Keywords(specs)
        self._set: Any = None
        if self._kw.keywords:
            opts = re2.Options()
            opts.case_sensitive = False
            opts.max_mem = 256 << 20
            self._set = re2.Set.SearchSet(opts)
            for k in self._kw.keywords:
                self._set.Add(re2.escape(k))
            self._set.Compile()

    def candidates(self, data: bytes) -> dict[int, Window]:
        kw = self._kw
        out: dict[int, Window] = {r: (0, len(data)) for r in kw.always}
        if self._set is None or not data:
            return out
        present = self._set.Match(data)
        if not present:
            return out
        lowered = data.lower()
        spans: dict[int, Window] = {}
        for k in present:
            word = kw.keywords[k]
            first = lowered.find(word)
            if first < 0:
                continue
            lo, hi = first, lowered.rfind(word) + len(word)
            for r in kw.kw_rules[k]:
                cur = spans.get(r)
                spans[r] = (lo, hi) if cur is None else (min(cur[0], lo), max(cur[1], hi))
        for r, (lo, hi) in spans.items():
            out[r] = kw.window(r, data, lo, hi)
        return out


class HyperscanPrefilter:
    """Keywords and rule regexes (prefilter mode) in one hyperscan database; one callback per keyword/rule."""

    name = "hyperscan"

    def __init__(self, specs: Sequence[RuleSpec], *, cache: bool = True) -> None:
        import hyperscan

        self._hs = hyperscan
        self._kw = _Keywords(specs)
        n_kw = len(self._kw.keywords)
        exprs: list[bytes] = [re2.escape(k) for k in self._kw.keywords]
        flags = [hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH] * n_kw
        rule_flag = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY
        rules = [(r, spec.regex) for r, spec in enumerate(specs) if spec.regex is not None and spec.regex.isascii()]
        self._n_kw = n_kw
        self._db, filtered = _compile_cached(hyperscan, exprs, flags, rules, rule_flag, cache=cache)
        self._filtered = set(filtered)

    def candidates(self, data: bytes) -> dict[int, Window]:
        kw = self._kw
        n = len(data)
        out: dict[int, Window] = {}
        if not data:
            return {r: (0, 0) for r in kw.always}
        first: dict[int, int] = {}
        possible: dict[int, int] = {}
        n_kw = self._n_kw

        def on_match(idx: int, _from: int, to: int, _flags: int, _ctx: object) -> bool:
            if idx < n_kw:
                first[idx] = to - len(kw.keywords[idx])
            else:
                possible[idx - n_kw] = to
            return False

        self._db.scan(data, match_event_handler=on_match)
        for r in kw.always:
            if r not in self._filtered or r in possible:
                out[r] = (0, n)
        starts: dict[int, int] = {}
        for k, pos in first.items():
            for r in kw.kw_rules[k]:
                if r in self._filtered and r not in possible:
                    continue
                cur = starts.get(r)
                starts[r] = pos if cur is None else min(cur, pos)
        for r, lo in starts.items():
            spec = kw.specs[r]
            if spec.whole_file:
                out[r] = (0, n)
                continue
            start = data.rfind(b"\n", 0, lo) + 1
            # The first real match ends no earlier than the first match of the over-approximation (its matches
            # are a superset). A rule that is not multi-line may still reach one line back (a boundary such as
            # [^A-Za-z0-9] can be the previous line's newline, \s* can cross it), so the window starts at the
            # line before the one where that approximate match ends.
            approx_end = possible.get(r)
            if approx_end is not None and not spec.multiline:
                line = data.rfind(b"\n", 0, max(approx_end - 1, 0)) + 1
                start = max(start, data.rfind(b"\n", 0, max(line - 1, 0)) + 1)
            out[r] = (start, n)
        return out


def _hs_accepts(hyperscan: Any, pattern: str, flag: int) -> bool:
    try:
        db = hyperscan.Database()
        db.compile(expressions=[pattern.encode()], ids=[0], elements=1, flags=[flag])
    except Exception:  # noqa: BLE001 - hyperscan.error: not expressible even as an over-approximation
        return False
    return True


def cache_dir() -> Path:
    env = os.environ.get("GARRISON_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "garrison"


def _compile_cached(
    hyperscan: Any,
    kw_exprs: list[bytes],
    kw_flags: list[int],
    rules: list[tuple[int, str]],
    rule_flag: int,
    *,
    cache: bool,
) -> tuple[Any, list[int]]:
    """The database of keywords + rule regexes, and which rules made it in (from the cache when possible)."""
    h = hashlib.sha256(f"hs{getattr(hyperscan, '__version__', '?')}/{rule_flag}".encode())
    for e, f in zip(kw_exprs, kw_flags):
        h.update(b"\x00k%d\x00" % f + e)
    for r, pattern in rules:
        h.update(b"\x00r%d\x00" % r + pattern.encode())
    path = cache_dir() / f"secrets-{h.hexdigest()[:24]}.hsdb"
    if cache and path.is_file():
        try:
            blob = path.read_bytes()
            head, _, body = blob.partition(b"\n")
            filtered = [int(x) for x in head.split(b",") if x]
            loaded = hyperscan.loadb(body, hyperscan.HS_MODE_BLOCK)
            loaded.scratch = hyperscan.Scratch(loaded)  # a deserialised database has no scratch space yet
            return loaded, filtered
        except Exception:  # noqa: BLE001 - a stale or corrupt cache entry is rebuilt
            pass
    n_kw = len(kw_exprs)

    def build(chosen: list[tuple[int, str]]) -> Any:
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        db.compile(
            expressions=[*kw_exprs, *(p.encode() for _, p in chosen)],
            ids=[*range(n_kw), *(n_kw + r for r, _ in chosen)],
            elements=n_kw + len(chosen),
            flags=[*kw_flags, *([rule_flag] * len(chosen))],
        )
        return db

    try:
        db, chosen = build(rules), rules
    except Exception:  # noqa: BLE001 - some pattern is beyond hyperscan: find it and leave it unfiltered
        chosen = [(r, p) for r, p in rules if _hs_accepts(hyperscan, p, rule_flag)]
        db = build(chosen)
    filtered = [r for r, _ in chosen]
    if cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
                tmp.write(",".join(map(str, filtered)).encode() + b"\n" + hyperscan.dumpb(db))
            os.replace(tmp.name, path)
        except OSError:
            pass  # a read-only home just means no cache
    return db, filtered


def build_prefilter(specs: Sequence[RuleSpec], prefer: str = "auto") -> Prefilter:
    """The fastest prefilter available: hyperscan unless ``prefer`` says otherwise or it is not installed."""
    if prefer in ("auto", "hyperscan"):
        try:
            return HyperscanPrefilter(specs)
        except ImportError:
            if prefer == "hyperscan":
                raise
    return PortablePrefilter(specs)
