"""Report <-> JSON-ready dicts (schema: docs/report-schema.json, described in docs/report-schema.md).

Keys are emitted in a fixed order and lists are sorted, so the same scan gives byte-identical JSON.
Durations and timestamps appear only when asked for. :func:`report_from_dict` is the strict inverse used by
``garrison push``, the server and the importers: every problem names the offending field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from garrison.core.errors import InputError
from garrison.core.finding import (
    Commit,
    EvidenceValue,
    Finding,
    FindingKind,
    Fix,
    FrameworkRef,
    Location,
    Region,
    Rule,
    SuppressedFinding,
    Suppression,
)
from garrison.core.frozen import FrozenDict
from garrison.core.report import AnalyzerError, AnalyzerRun, Report, ScanStats, Target
from garrison.core.severity import Confidence, Severity

REPORT_FORMAT = "garrison-report"


def rule_to_dict(r: Rule) -> dict[str, Any]:
    return {
        "id": r.id,
        "title": r.title,
        "severity": r.severity.label,
        "confidence": r.confidence.label,
        "description": r.description,
        "remediation": r.remediation,
        "cwe": list(r.cwe),
        "references": list(r.references),
        "frameworks": [{"framework": x.framework, "control": x.control} for x in r.frameworks],
        "tags": list(r.tags),
    }


def location_to_dict(loc: Location) -> dict[str, Any]:
    region = loc.region
    commit = loc.commit
    return {
        "path": loc.path,
        "region": None
        if region is None
        else {
            "start_line": region.start_line,
            "start_column": region.start_column,
            "end_line": region.end_line,
            "end_column": region.end_column,
        },
        "purl": loc.purl,
        "package_version": loc.package_version,
        "dependency_path": list(loc.dependency_path),
        "resource": loc.resource,
        "url": loc.url,
        "commit": None
        if commit is None
        else {"sha": commit.sha, "author": commit.author, "email": commit.email, "date": commit.date},
    }


def _evidence_value(v: EvidenceValue) -> Any:
    return list(v) if isinstance(v, tuple) else v


def finding_to_dict(f: Finding) -> dict[str, Any]:
    return {
        "fingerprint": f.fingerprint,
        "analyzer": f.analyzer,
        "kind": f.kind.value,
        "severity": f.severity.label,
        "score": f.score,
        "rule": rule_to_dict(f.rule),
        "location": location_to_dict(f.location),
        "message": f.message,
        "evidence": {k: _evidence_value(f.evidence[k]) for k in sorted(f.evidence)},
        "fix": {"available": f.fix.available, "versions": list(f.fix.versions), "instruction": f.fix.instruction},
        "tags": list(f.tags),
        "aliases": list(f.aliases),
    }


def suppression_to_dict(s: Suppression) -> dict[str, Any]:
    return {
        "kind": s.kind,
        "reason": s.reason,
        "source": s.source,
        "owner": s.owner,
        "expires": s.expires.isoformat() if s.expires else None,
    }


def report_to_dict(report: Report, decision: Any = None, *, timings: bool = False) -> dict[str, Any]:
    """``decision`` is a :class:`garrison.policy.gate.Decision` or None (typed loosely to keep core free of policy)."""
    summary = report.summary
    analyzers = []
    for a in report.analyzers:
        entry: dict[str, Any] = {"id": a.id, "version": a.version, "files": a.files}
        if timings:
            entry["duration"] = a.duration
        entry["errors"] = [{"kind": e.kind, "path": e.path, "message": e.message} for e in a.errors]
        analyzers.append(entry)
    s = report.stats
    doc: dict[str, Any] = {
        "format": REPORT_FORMAT,
        "schema_version": report.schema_version,
        "tool": {"name": "garrison", "version": report.tool_version},
        "target": {"path": report.target.path, "kind": report.target.kind, "detail": report.target.detail},
    }
    if report.started_at is not None:
        doc["started_at"] = report.started_at
    doc.update(
        {
            "analyzers": analyzers,
            "stats": {
                "files_seen": s.files_seen,
                "files_scanned": s.files_scanned,
                "skipped_ignored": s.skipped_ignored,
                "skipped_large": s.skipped_large,
                "skipped_binary": s.skipped_binary,
                "skipped_symlinks": s.skipped_symlinks,
                "bytes_scanned": s.bytes_scanned,
            },
            "summary": {
                "total": summary.total,
                "by_severity": summary.by_severity,
                "by_kind": summary.by_kind,
                "suppressed": summary.suppressed,
            },
            "decision": None if decision is None else decision_to_dict(decision),
            "warnings": list(report.warnings),
            "metadata": {k: report.metadata[k] for k in sorted(report.metadata)},
            "findings": [finding_to_dict(f) for f in report.findings],
            "suppressed": [
                {"finding": finding_to_dict(x.finding), "suppression": suppression_to_dict(x.suppression)}
                for x in report.suppressed
            ],
        }
    )
    return doc


def decision_to_dict(decision: Any) -> dict[str, Any]:
    return {
        "passed": decision.passed,
        "fail_on": decision.fail_on.label if decision.fail_on is not None else None,
        "conditions": list(decision.conditions),
        "failing": [{"fingerprint": fp, "reasons": list(decision.failing[fp])} for fp in sorted(decision.failing)],
    }


# --------------------------------------------------------------------------------------------- parsing


class _Reader:
    def __init__(self, data: Any, where: str, source: str | None) -> None:
        self.data = data
        self.where = where
        self.source = source

    def fail(self, message: str, key: str | None = None) -> InputError:
        field = f"{self.where}.{key}" if key and self.where else (key or self.where or None)
        return InputError(message, path=self.source, field=field)

    def obj(self) -> Mapping[str, Any]:
        if type(self.data) is dict:  # the common case, without the slow ABC check
            return self.data
        if not isinstance(self.data, Mapping):
            raise self.fail(f"expected an object, got {type(self.data).__name__}")
        return self.data

    def sub(self, key: str, *, optional: bool = False) -> _Reader | None:
        d = self.obj()
        if key not in d or d[key] is None:
            if optional:
                return None
            raise self.fail("is required", key)
        return _Reader(d[key], f"{self.where}.{key}" if self.where else key, self.source)

    def text(self, key: str, *, optional: bool = False, default: str | None = None) -> Any:
        d = self.obj()
        v = d.get(key)
        if v is None:
            if optional:
                return default
            raise self.fail("is required", key)
        if not isinstance(v, str):
            raise self.fail(f"expected a string, got {type(v).__name__}", key)
        return v

    def integer(self, key: str, *, optional: bool = False) -> Any:
        v = self.obj().get(key)
        if v is None:
            if optional:
                return None
            raise self.fail("is required", key)
        if not isinstance(v, int) or isinstance(v, bool):
            raise self.fail(f"expected an integer, got {type(v).__name__}", key)
        return v

    def items(self, key: str) -> list[_Reader]:
        v = self.obj().get(key)
        if v is None:
            return []
        if not isinstance(v, list):
            raise self.fail(f"expected a list, got {type(v).__name__}", key)
        base = f"{self.where}.{key}" if self.where else key
        return [_Reader(x, f"{base}[{i}]", self.source) for i, x in enumerate(v)]

    def strs(self, key: str) -> tuple[str, ...]:
        v = self.obj().get(key)
        if type(v) is list and all(type(x) is str for x in v):  # fast path; errors take the slow one
            return tuple(v)
        out = []
        for r in self.items(key):
            if not isinstance(r.data, str):
                raise r.fail(f"expected a string, got {type(r.data).__name__}")
            out.append(r.data)
        return tuple(out)


def _severity(r: _Reader, key: str) -> Severity:
    try:
        return Severity.parse(r.text(key))
    except InputError:
        raise r.fail(f"unknown severity {r.obj().get(key)!r}", key) from None


def rule_from(r: _Reader) -> Rule:
    try:
        conf = Confidence.parse(r.text("confidence", optional=True, default="high"))
    except InputError:
        raise r.fail("unknown confidence", "confidence") from None
    cwe = []
    for c in r.items("cwe"):
        if not isinstance(c.data, int) or isinstance(c.data, bool):
            raise c.fail("expected an integer CWE id")
        cwe.append(c.data)
    return Rule(
        id=r.text("id"),
        title=r.text("title", optional=True, default=""),
        severity=_severity(r, "severity"),
        confidence=conf,
        description=r.text("description", optional=True, default=""),
        remediation=r.text("remediation", optional=True, default=""),
        cwe=tuple(cwe),
        references=r.strs("references"),
        frameworks=tuple(FrameworkRef(x.text("framework"), x.text("control")) for x in r.items("frameworks")),
        tags=r.strs("tags"),
    )


def location_from(r: _Reader) -> Location:
    reg = r.sub("region", optional=True)
    com = r.sub("commit", optional=True)
    region = None
    if reg is not None:
        start = reg.integer("start_line")
        if start < 1:
            raise reg.fail("must be ≥ 1", "start_line")
        region = Region(
            start,
            reg.integer("start_column", optional=True),
            reg.integer("end_line", optional=True),
            reg.integer("end_column", optional=True),
        )
    commit = None
    if com is not None:
        commit = Commit(
            sha=com.text("sha"),
            author=com.text("author", optional=True, default=""),
            email=com.text("email", optional=True, default=""),
            date=com.text("date", optional=True, default=""),
        )
    return Location(
        path=r.text("path", optional=True),
        region=region,
        purl=r.text("purl", optional=True),
        package_version=r.text("package_version", optional=True),
        dependency_path=r.strs("dependency_path"),
        resource=r.text("resource", optional=True),
        url=r.text("url", optional=True),
        commit=commit,
    )


def finding_from(r: _Reader) -> Finding:
    try:
        kind = FindingKind(r.text("kind"))
    except ValueError:
        raise r.fail(f"unknown kind {r.obj().get('kind')!r}", "kind") from None
    rule_r = r.sub("rule")
    loc_r = r.sub("location")
    assert rule_r is not None and loc_r is not None
    ev_r = r.sub("evidence", optional=True)
    evidence: dict[str, EvidenceValue] = {}
    if ev_r is not None:
        for k, v in ev_r.obj().items():
            if isinstance(v, list):
                evidence[str(k)] = tuple(str(x) for x in v)
            elif v is None or isinstance(v, (str, int, float, bool)):
                evidence[str(k)] = v
            else:
                raise ev_r.fail("expected a scalar or a list of strings", str(k))
    fix_r = r.sub("fix", optional=True)
    fix = Fix()
    if fix_r is not None:
        avail = fix_r.obj().get("available", False)
        if not isinstance(avail, bool):
            raise fix_r.fail("expected true or false", "available")
        fix = Fix(avail, fix_r.strs("versions"), fix_r.text("instruction", optional=True, default=""))
    score = r.obj().get("score")
    if score is not None and (not isinstance(score, (int, float)) or isinstance(score, bool)):
        raise r.fail("expected a number", "score")
    fp = r.text("fingerprint")
    if not fp:
        raise r.fail("must not be empty", "fingerprint")
    return Finding(
        analyzer=r.text("analyzer", optional=True, default="unknown"),
        kind=kind,
        rule=rule_from(rule_r),
        location=location_from(loc_r),
        message=r.text("message", optional=True, default=""),
        severity=_severity(r, "severity"),
        fingerprint=fp,
        evidence=FrozenDict(evidence),
        fix=fix,
        tags=r.strs("tags"),
        aliases=r.strs("aliases"),
        score=float(score) if score is not None else None,
    )


def report_from_dict(data: Any, *, source: str | None = None) -> Report:
    """Parse a Garrison JSON report (as written by ``--format json``)."""
    r = _Reader(data, "", source)
    doc = r.obj()
    if doc.get("format") != REPORT_FORMAT:
        raise r.fail(f'not a Garrison report (expected "format": "{REPORT_FORMAT}")', "format")
    version = r.text("schema_version")
    if version.split(".")[0] != "1":
        raise r.fail(f"unsupported schema version {version!r} (this Garrison reads 1.x)", "schema_version")
    tool = r.sub("tool")
    target = r.sub("target")
    assert tool is not None and target is not None
    runs = []
    for a in r.items("analyzers"):
        errors = []
        for e in a.items("errors"):
            kind = e.text("kind", optional=True, default="input")
            if kind not in ("input", "internal"):
                raise e.fail("expected 'input' or 'internal'", "kind")
            errors.append(AnalyzerError(message=e.text("message"), path=e.text("path", optional=True), kind=kind))
        dur = a.obj().get("duration", 0.0)
        runs.append(
            AnalyzerRun(
                id=a.text("id"),
                version=a.text("version", optional=True, default=""),
                files=a.integer("files", optional=True) or 0,
                duration=float(dur) if isinstance(dur, (int, float)) else 0.0,
                errors=tuple(errors),
            )
        )
    findings = tuple(finding_from(x) for x in r.items("findings"))
    suppressed = []
    for x in r.items("suppressed"):
        fr = x.sub("finding")
        sr = x.sub("suppression")
        assert fr is not None and sr is not None
        kind = sr.text("kind")
        if kind not in ("waiver", "baseline", "inline"):
            raise sr.fail(f"unknown suppression kind {kind!r}", "kind")
        exp = sr.text("expires", optional=True)
        try:
            expires = dt.date.fromisoformat(exp) if exp else None
        except ValueError:
            raise sr.fail(f"invalid date {exp!r}", "expires") from None
        suppressed.append(
            SuppressedFinding(
                finding_from(fr),
                Suppression(
                    kind=kind,
                    reason=sr.text("reason", optional=True, default=""),
                    source=sr.text("source", optional=True, default=""),
                    owner=sr.text("owner", optional=True, default=""),
                    expires=expires,
                ),
            )
        )
    st = r.sub("stats", optional=True)
    stats = ScanStats()
    if st is not None:
        stats = ScanStats(**{k: st.integer(k, optional=True) or 0 for k in ScanStats.__dataclass_fields__})
    md = r.sub("metadata", optional=True)
    return Report(
        target=Target(
            path=target.text("path"),
            kind=target.text("kind", optional=True, default="directory"),
            detail=target.text("detail", optional=True, default=""),
        ),
        tool_version=tool.text("version", optional=True, default=""),
        analyzers=tuple(runs),
        findings=findings,
        suppressed=tuple(suppressed),
        stats=stats,
        warnings=r.strs("warnings"),
        metadata=FrozenDict(dict(md.obj()) if md is not None else {}),
        started_at=r.text("started_at", optional=True),
        schema_version=version,
    )
