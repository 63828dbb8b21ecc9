"""Build real Garrison reports (through the core model and serializer) for server tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from garrison.core.finding import Finding, FindingKind, Fix, Location, Region, Rule, new_finding
from garrison.core.report import AnalyzerError, AnalyzerRun, Report, Target
from garrison.core.serialize import report_to_dict
from garrison.core.severity import Severity


def finding(
    rule: str = "r1",
    path: str = "app.py",
    *,
    analyzer: str = "secrets",
    severity: str = "high",
    anchor: str | None = None,
    line: int = 1,
    fix: bool = False,
    purl: str | None = None,
    cve: str | None = None,
    kind: FindingKind = FindingKind.SECRET,
    score: float | None = None,
) -> Finding:
    sev = Severity.parse(severity)
    return new_finding(
        analyzer=analyzer,
        kind=kind,
        rule=Rule(id=cve or rule, title=f"title of {cve or rule}", severity=sev),
        location=Location(path=path, region=Region(line), purl=purl, package_version="1.0" if purl else None),
        message=f"{rule} in {path}",
        anchor=anchor or f"{rule}:{path}",
        severity=sev,
        fix=Fix(available=fix, versions=("2.0",) if fix else ()),
        aliases=(cve,) if cve else (),
        score=score,
    )


def report(
    findings: Sequence[Finding],
    analyzers: Sequence[str] = ("secrets",),
    *,
    errors: dict[str, list[AnalyzerError]] | None = None,
) -> dict[str, Any]:
    errors = errors or {}
    runs = tuple(AnalyzerRun(id=a, version="1", files=1, errors=tuple(errors.get(a, []))) for a in analyzers)
    r = Report(target=Target(path="."), tool_version="0.1.0", analyzers=runs, findings=tuple(findings))
    return report_to_dict(r)


def many(n: int, *, analyzer: str = "deps", prefix: str = "pkg") -> list[Finding]:
    sevs = ["critical", "high", "medium", "low", "info"]
    return [
        finding(
            f"{prefix}-rule-{i % 40}",
            f"src/{prefix}/{i % 300}/file{i}.py",
            analyzer=analyzer,
            severity=sevs[i % 5],
            anchor=f"{prefix}-{i}",
            line=i % 500 + 1,
            purl=f"pkg:pypi/{prefix}{i % 200}@1.{i % 7}",
            cve=f"CVE-2024-{10000 + i}" if i % 3 == 0 else None,
            kind=FindingKind.VULNERABILITY,
            fix=i % 2 == 0,
        )
        for i in range(n)
    ]
