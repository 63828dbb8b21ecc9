"""Builders for model values used across tests (real shapes, explicit values)."""

from __future__ import annotations

from garrison.core.finding import (
    Finding,
    FindingKind,
    Fix,
    FrameworkRef,
    Location,
    Region,
    Rule,
    SuppressedFinding,
    Suppression,
    new_finding,
)
from garrison.core.report import AnalyzerError, AnalyzerRun, Report, ScanStats, Target
from garrison.core.severity import Confidence, Severity


def rule(rule_id: str = "test.rule", severity: Severity = Severity.HIGH, **kw: object) -> Rule:
    defaults: dict[str, object] = {
        "title": f"Title of {rule_id}",
        "description": "What the rule looks for.",
        "remediation": "How to fix it.",
        "cwe": (798,),
        "references": ("https://cwe.mitre.org/data/definitions/798.html",),
        "confidence": Confidence.HIGH,
    }
    defaults.update(kw)
    return Rule(id=rule_id, severity=severity, **defaults)  # type: ignore[arg-type]


def finding(
    rule_id: str = "test.rule",
    severity: Severity = Severity.HIGH,
    path: str = "src/app.py",
    line: int = 3,
    anchor: str = "password = 'x'",
    analyzer: str = "test",
    kind: FindingKind = FindingKind.SECRET,
    **kw: object,
) -> Finding:
    return new_finding(
        analyzer=analyzer,
        kind=kind,
        rule=rule(rule_id, severity),
        location=Location(path=path, region=Region(line, 5, line, 20)),
        message=kw.pop("message", f"{rule_id} at {path}"),  # type: ignore[arg-type]
        anchor=anchor,
        **kw,  # type: ignore[arg-type]
    )


def vuln(purl: str = "pkg:pypi/django@3.2.4", advisory: str = "GHSA-xxxx-yyyy-zzzz", fixed: bool = True) -> Finding:
    return new_finding(
        analyzer="deps",
        kind=FindingKind.VULNERABILITY,
        rule=rule(advisory, Severity.HIGH, cwe=(89,), frameworks=(FrameworkRef("OWASP Top 10 2021", "A06"),)),
        location=Location(path="requirements.txt", region=Region(2), purl=purl, package_version="3.2.4"),
        message=f"{purl} is affected by {advisory}",
        anchor=f"pypi:django:{advisory}",
        aliases=("CVE-2021-33203",),
        fix=Fix(available=fixed, versions=("3.2.5",) if fixed else ()),
        score=7.5,
    )


def report(*findings: Finding, suppressed: tuple[SuppressedFinding, ...] = (), errors: bool = False) -> Report:
    runs = [AnalyzerRun(id="test", version="1.0", files=3)]
    if errors:
        runs.append(
            AnalyzerRun(
                id="broken",
                version="0.1",
                errors=(AnalyzerError("ValueError: boom", path="x.py", kind="internal"),),
            )
        )
    return Report(
        target=Target(path="project", kind="directory"),
        tool_version="0.1.0",
        analyzers=tuple(runs),
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        suppressed=suppressed,
        stats=ScanStats(files_seen=4, files_scanned=3, bytes_scanned=1234),
    )


def waived(f: Finding) -> SuppressedFinding:
    return SuppressedFinding(
        f, Suppression(kind="waiver", reason="test fixture", source="w-1", owner="sec@example.com")
    )
