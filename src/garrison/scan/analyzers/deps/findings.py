"""Findings of the deps analyzer: one per (package, vulnerability), and info findings for unpinned
requirements. The fingerprint anchor is ecosystem + normalised package name + primary advisory id — not
the version, so upgrading to a version that is still affected keeps the finding's identity (its waiver,
baseline entry and tracking history), while fixing it makes the finding disappear.
"""

from __future__ import annotations

from garrison.core.finding import EvidenceValue, Finding, FindingKind, Fix, Location, Region, Rule, new_finding
from garrison.core.severity import Confidence, Severity
from garrison.scan.analyzers.deps.parsers.base import Package
from garrison.scan.analyzers.deps.purl import purl_for
from garrison.scan.analyzers.deps.vulns import Match

ANALYZER_ID = "deps"
MAX_REFERENCES = 12

UNPINNED = Rule(
    id="deps.unpinned",
    title="Unpinned dependency",
    severity=Severity.INFO,
    confidence=Confidence.HIGH,
    description="The requirement does not pin an exact version (==), so the version that gets installed — and "
    "whether it is vulnerable — depends on the day of the install. Garrison never guesses a version from a "
    "range, so this dependency is not checked against advisories.",
    remediation="Pin exact versions (pip-compile / uv pip compile / pip freeze) and commit the result.",
    references=("https://pip.pypa.io/en/stable/topics/repeatable-installs/",),
    tags=("dependency", "supply-chain"),
)
VULNERABILITY_RULE_DOC = Rule(
    id="deps.vulnerability",
    title="Vulnerable dependency (one rule per advisory: GHSA-…, CVE-…, PYSEC-…, RUSTSEC-…, GO-…)",
    severity=Severity.MEDIUM,
    description="A locked dependency version is affected by a published advisory in the local OSV database. "
    "Findings carry the advisory id as their rule id.",
    remediation="Upgrade to the fixed version given in the finding.",
    tags=("dependency", "vulnerability"),
)


def _location(pkg: Package, manifest: str, line: int | None) -> Location:
    return Location(
        path=pkg.manifest or manifest,
        region=Region(line) if line else None,
        purl=purl_for(pkg.ecosystem, pkg.name, pkg.version),
        package_version=pkg.version or None,
        dependency_path=pkg.dependency_path,
    )


def vulnerability_finding(m: Match, manifest: str, line: int | None, default: Severity) -> Finding:
    pkg = m.package
    severity = m.severity if m.severity is not None else default
    summary = m.summary or f"{m.primary_id} in {pkg.name}"
    if m.recommended:
        instruction = f"upgrade {pkg.name} from {pkg.version} to {m.recommended}"
        if len(m.fixes) > 1:
            instruction += f" (fixed in: {', '.join(m.fixes)})"
    else:
        instruction = f"no fixed version of {pkg.name} is known for {m.primary_id}; remove or replace it"
    refs = tuple(dict.fromkeys(r for a in m.advisories for r in a.references))[:MAX_REFERENCES]
    rule = Rule(
        id=m.primary_id,
        title=summary,
        severity=severity,
        confidence=Confidence.HIGH,
        description=m.details or summary,
        remediation=instruction,
        cwe=tuple(sorted({c for a in m.advisories for c in a.cwes})),
        references=refs,
        tags=("dependency", "vulnerability", pkg.ecosystem.lower()),
    )
    direct = "direct" if pkg.direct else ("transitive" if pkg.direct is False else "")
    tags = [t for t in (direct, pkg.scope) if t]
    message = f"{pkg.name} {pkg.version}: {summary} ({m.primary_id})"
    if m.recommended:
        message += f"; fixed in {m.recommended}"
    published = sorted(a.published for a in m.advisories if a.published)
    evidence: dict[str, EvidenceValue] = {
        "ecosystem": pkg.ecosystem,
        "package": pkg.name,
        "version": pkg.version,
        "direct": pkg.direct,
        "scope": pkg.scope,
        "advisories": tuple(a.id for a in m.advisories),
        "severity_source": m.severity_source if m.severity is not None else "default",
        "cvss_vector": m.vector,
        "published": published[0] if published else "",
    }
    if pkg.marker:
        evidence["marker"] = pkg.marker  # installed only where this PEP 508 marker holds
    return new_finding(
        analyzer=ANALYZER_ID,
        kind=FindingKind.VULNERABILITY,
        rule=rule,
        location=_location(pkg, manifest, line),
        message=message,
        anchor=f"{pkg.ecosystem}\x00{_norm(pkg)}\x00{m.primary_id}",
        severity=severity,
        evidence=evidence,
        fix=Fix(available=bool(m.fixes), versions=m.fixes, instruction=instruction),
        tags=tags,
        aliases=m.aliases,
        score=m.score,
    )


def unpinned_finding(pkg: Package, manifest: str) -> Finding:
    return new_finding(
        analyzer=ANALYZER_ID,
        kind=FindingKind.MISCONFIGURATION,
        rule=UNPINNED,
        location=Location(
            path=pkg.manifest or manifest,
            region=Region(pkg.line) if pkg.line else None,
            purl=purl_for(pkg.ecosystem, pkg.name) if "/" not in pkg.name and ":" not in pkg.name else None,
            dependency_path=pkg.dependency_path,
        ),
        message=f"{pkg.spec or pkg.name} does not pin an exact version; it is not checked against advisories",
        anchor=f"unpinned\x00{pkg.ecosystem}\x00{_norm(pkg)}",
        evidence={"package": pkg.name, "requirement": pkg.spec},
    )


def _norm(pkg: Package) -> str:
    from garrison.advisories.store import package_key

    key = package_key(pkg.ecosystem, pkg.name)
    return key[1] if key else pkg.name
