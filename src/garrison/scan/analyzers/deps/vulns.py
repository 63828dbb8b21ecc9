"""Match packages against the advisory index and merge advisories that are aliases of each other.

Pure apart from the :class:`~garrison.advisories.store.AdvisoryDB` lookups. One :class:`Match` per
(package, vulnerability): advisories that share an id or alias (PYSEC-… ≡ GHSA-… ≡ CVE-…) are one
vulnerability. Its primary id is chosen deterministically — GHSA first, then CVE, then the ecosystem
databases' ids (PYSEC, RUSTSEC, GO, …), then any other, each group in lexical order — so a report's
rule ids do not depend on which of the aliased records a database happens to hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from garrison.advisories.matching import fixed_versions, is_affected, recommended_fix
from garrison.advisories.model import Advisory, Affected
from garrison.advisories.store import AdvisoryDB, package_key
from garrison.advisories.versions import InvalidVersion, scheme_for
from garrison.core.severity import Severity
from garrison.scan.analyzers.deps.parsers.base import Package

_DB_SEVERITY = {
    "LOW": Severity.LOW,
    "MODERATE": Severity.MEDIUM,
    "MEDIUM": Severity.MEDIUM,
    "HIGH": Severity.HIGH,
    "CRITICAL": Severity.CRITICAL,
}


def id_rank(adv_id: str) -> tuple[int, str]:
    if adv_id.startswith("GHSA-"):
        return (0, adv_id)
    if adv_id.startswith("CVE-"):
        return (1, adv_id)
    if adv_id.split("-", 1)[0] in ("PYSEC", "RUSTSEC", "GO", "RSEC", "OSV", "MAL"):
        return (2, adv_id)
    return (3, adv_id)


@dataclass(frozen=True, slots=True)
class Match:
    package: Package
    primary_id: str
    aliases: tuple[str, ...]
    advisories: tuple[Advisory, ...]
    severity: Severity | None  # None: no CVSS score and no database severity
    severity_source: str
    score: float | None
    vector: str
    fixes: tuple[str, ...]
    recommended: str | None

    @property
    def summary(self) -> str:
        """The advisory summary, else the first sentence of its details (PYSEC records have no summary)."""
        best = sorted(self.advisories, key=lambda a: (not a.summary, id_rank(a.id)))
        if best and best[0].summary:
            return best[0].summary
        details = " ".join(self.details.split())
        sentence = details.split(". ", 1)[0].rstrip(".")
        return sentence if len(sentence) <= 140 else sentence[:139].rstrip() + "…"

    @property
    def details(self) -> str:
        best = sorted(self.advisories, key=lambda a: (not a.details, id_rank(a.id)))
        return best[0].details if best else ""


def _groups(advisories: Sequence[Advisory]) -> list[list[Advisory]]:
    parent = list(range(len(advisories)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, a in enumerate(advisories):
        for ident in a.ids:
            if ident in owner:
                ra, rb = find(owner[ident]), find(i)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
            else:
                owner[ident] = i
    groups: dict[int, list[Advisory]] = {}
    for i, a in enumerate(advisories):
        groups.setdefault(find(i), []).append(a)
    return list(groups.values())


def _severity(group: Sequence[Advisory]) -> tuple[Severity | None, str, float | None, str]:
    scored = [(a.score, a.score_vector) for a in group if a.score is not None]
    if scored:
        score, vector = max(scored)
        kind = "cvss_v4" if vector.startswith("CVSS:4") else ("cvss_v3" if vector.startswith("CVSS:3") else "cvss_v2")
        return Severity.from_cvss(score), kind, score, vector
    levels = [_DB_SEVERITY[a.database_severity] for a in group if a.database_severity in _DB_SEVERITY]
    if levels:
        return max(levels), "database", None, ""
    return None, "unknown", None, ""


def _entries_for(adv: Advisory, ecosystem: str, name: str) -> list[Affected]:
    out = []
    for aff in adv.affected:
        key = package_key(aff.ecosystem, aff.name) if aff.name else None
        if key == (ecosystem, name):
            out.append(aff)
    return out


def match_packages(db: AdvisoryDB, packages: Iterable[Package]) -> list[Match]:
    """Every (package, vulnerability) pair where the package's exact version is affected."""
    by_eco: dict[str, list[tuple[str, Package]]] = {}
    for p in packages:
        if not p.version:
            continue
        key = package_key(p.ecosystem, p.name)
        if key is not None:
            by_eco.setdefault(key[0], []).append((key[1], p))
    matches: list[Match] = []
    for eco, items in sorted(by_eco.items()):
        scheme = scheme_for(eco)
        found = db.lookup(eco, {n for n, _ in items})
        for norm_name, pkg in items:
            candidates = found.get(norm_name)
            if not candidates:
                continue
            hits: list[tuple[Advisory, list[Affected]]] = []
            for adv in candidates:
                entries = _entries_for(adv, eco, norm_name)
                if any(is_affected(scheme, e, pkg.version) for e in entries):
                    hits.append((adv, entries))
            if not hits:
                continue
            entries_of = {a.id: e for a, e in hits}
            for group in _groups([a for a, _ in hits]):
                ids = sorted({i for a in group for i in a.ids}, key=id_rank)
                affected = [e for a in group for e in entries_of[a.id]]
                fixes = fixed_versions(scheme, affected, pkg.version)
                try:
                    recommended = recommended_fix(scheme, fixes, pkg.version)
                except InvalidVersion:
                    recommended = fixes[0] if fixes else None
                sev, source, score, vector = _severity(group)
                matches.append(
                    Match(
                        package=pkg,
                        primary_id=ids[0],
                        aliases=tuple(sorted(ids[1:])),
                        advisories=tuple(sorted(group, key=lambda a: id_rank(a.id))),
                        severity=sev,
                        severity_source=source,
                        score=score,
                        vector=vector,
                        fixes=tuple(fixes),
                        recommended=recommended,
                    )
                )
    return matches
