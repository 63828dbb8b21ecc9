"""The correctness oracle: for every corpus advisory entry that lists ``versions``, Garrison's comparator
evaluating the entry's ranges over the package's known versions yields exactly that list.

"Known versions" of a package = every version any corpus advisory lists for it; versions the comparator
cannot parse are excluded (the ranges cannot decide them; matching falls back to the explicit list).
Each disagreement must be explained in docs/deps.md (between the oracle markers), by advisory id.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from garrison.advisories.ingest import ImportResult
from garrison.advisories.matching import decidable_ranges, is_affected
from garrison.advisories.model import Affected
from garrison.advisories.versions import scheme_for

DOCS = Path(__file__).resolve().parents[2] / "docs" / "deps.md"
_ID = re.compile(r"\b(?:PYSEC|GHSA|RUSTSEC|GO|CVE)-[0-9A-Za-z-]+\b")


def documented_disagreements() -> set[str]:
    text = DOCS.read_text()
    start, end = text.index("<!-- oracle-disagreements:start -->"), text.index("<!-- oracle-disagreements:end -->")
    return set(_ID.findall(text[start:end]))


def run_oracle(parsed: dict[str, ImportResult]) -> tuple[int, int, dict[str, str]]:
    advisories = [a for r in parsed.values() for a in r.advisories]
    universe: dict[tuple[str, str], set[str]] = defaultdict(set)
    for a in advisories:
        for aff in a.affected:
            universe[(aff.ecosystem, scheme_for(aff.ecosystem).normalize_name(aff.name))].update(aff.versions)
    total = agree = 0
    disagreements: dict[str, str] = {}
    for a in advisories:
        for aff in a.affected:
            if not aff.versions:
                continue
            s = scheme_for(aff.ecosystem)
            ranges = tuple(decidable_ranges(s, aff.ranges))
            if not ranges:
                continue  # nothing the ranges can decide (e.g. PYSEC-2024-1 lists versions only)
            total += 1
            known = [v for v in universe[(aff.ecosystem, s.normalize_name(aff.name))] if s.valid(v)]
            ranges_only = Affected(aff.ecosystem, aff.name, ranges=ranges)
            got: dict[Any, str] = {s.key(v): v for v in known if is_affected(s, ranges_only, v)}
            listed: dict[Any, str] = {s.key(v): v for v in aff.versions if s.valid(v)}
            if got.keys() == listed.keys():
                agree += 1
                continue
            missing = sorted(listed[k] for k in listed.keys() - got.keys())
            extra = sorted(got[k] for k in got.keys() - listed.keys())
            disagreements[a.id] = (
                f"{aff.name}: listed but not in ranges {missing[:6]}; in ranges but not listed {extra[:6]}"
            )
    return total, agree, disagreements


def test_range_evaluation_reproduces_the_listed_versions(corpus_parsed: dict[str, ImportResult]) -> None:
    total, agree, disagreements = run_oracle(corpus_parsed)
    pct = 100.0 * agree / total
    print(f"\noracle: {agree}/{total} affected entries agree ({pct:.2f}%)")
    assert total > 2500  # the PyPI corpus lists versions; crates.io and Go advisories do not
    documented = documented_disagreements()
    undocumented = {k: v for k, v in disagreements.items() if k not in documented}
    stale = documented - set(disagreements)
    assert not undocumented, "explain these in docs/deps.md:\n" + "\n".join(f"{k} {v}" for k, v in undocumented.items())
    assert not stale, f"documented disagreements that no longer occur (remove them from docs/deps.md): {sorted(stale)}"
    assert pct > 98.0


def test_every_go_and_crates_range_is_decidable(corpus_parsed: dict[str, ImportResult]) -> None:
    for eco_dir, eco in (("go", "Go"), ("crates.io", "crates.io")):
        s = scheme_for(eco)
        events = [
            e.version
            for a in corpus_parsed[eco_dir].advisories
            for aff in a.affected
            for r in aff.ranges
            if r.matchable
            for e in r.events
            if e.version not in ("0", "*")
        ]
        assert len(events) > 2000
        bad = [v for v in events if not s.valid(v)]
        assert bad == [], f"{eco}: unparseable event versions {bad[:10]}"
