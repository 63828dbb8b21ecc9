"""Upload body → validated, normalised findings. Pure: nothing here touches the database.

Everything an upload can get wrong is found here, before a transaction starts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from garrison.core.errors import InputError
from garrison.core.finding import Finding
from garrison.core.report import Report
from garrison.server.errors import BadRequest, Invalid
from garrison.server.findings.lifecycle import Observed, Scope

_CVE = re.compile(r"^CVE-\d{4}-\d{4,19}$", re.IGNORECASE)
MAX_INT = 2**31 - 1  # INTEGER columns
MAX_BRANCH = 250


@dataclass(frozen=True, slots=True)
class Upload:
    """A parsed upload: the report, its format, the lifecycle view of its findings and the findings themselves."""

    def row(self, fingerprint: str) -> dict[str, Any]:
        """The columns of a new finding (without the lifecycle columns)."""
        finding, fields = self.findings[fingerprint]
        row = finding_row(finding, fields)
        row["fingerprint"] = fingerprint
        return row

    report: Report
    format: str  # garrison | sarif
    tool: str
    commit: str
    scope: Scope
    observed: tuple[Observed, ...]
    findings: Mapping[str, tuple[Finding, Mapping[str, Any]]]  # fingerprint → (finding, tracked fields)
    locations: Mapping[str, str]  # fingerprint → where it was seen this time


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (RFC 8259)")


def parse_body(raw: bytes) -> Any:
    if not raw.strip():
        raise BadRequest("empty body: send a Garrison JSON report or a SARIF 2.1.0 log")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("body is not UTF-8 text") from None
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except ValueError as exc:  # NaN / Infinity (see _no_constant)
        raise BadRequest(f"malformed JSON: {exc}") from None
    except RecursionError:
        raise BadRequest("malformed JSON: nested too deeply") from None
    # NUL and lone surrogates can only arrive as \u escapes; neither can be stored (PostgreSQL text, UTF-8)
    if _RISKY_ESCAPE.search(text):
        data = _sanitize(data)
    return data


_RISKY_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _sanitize(value: Any) -> Any:
    """Strings without NUL characters or unpaired surrogates (replaced by U+FFFD)."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value.replace("\x00", "\ufffd"))
    if isinstance(value, list):
        return [_sanitize(v) for v in value]
    if isinstance(value, dict):
        return {_sanitize(k): _sanitize(v) for k, v in value.items()}
    return value


def parse_report(data: Any, *, source: str = "upload") -> tuple[Report, str]:
    from garrison.core.serialize import REPORT_FORMAT, report_from_dict
    from garrison.formats.importers.sarif import import_sarif, looks_like_sarif

    try:
        if isinstance(data, Mapping) and data.get("format") == REPORT_FORMAT:
            return report_from_dict(data, source=source), "garrison"
        if looks_like_sarif(data):
            return import_sarif(data, source=source), "sarif"
    except InputError as exc:
        raise Invalid(f"invalid report: {exc.message}", field=exc.field) from None
    raise Invalid(
        'not a Garrison JSON report ("format": "garrison-report") or a SARIF 2.1.0 log ("runs": [...])', field="body"
    )


def package_name(purl: str | None) -> str | None:
    """``pkg:pypi/django@3.2`` → ``django``; ``pkg:npm/%40scope/x@1`` → ``@scope/x``."""
    if not purl or not purl.startswith("pkg:"):
        return None
    from urllib.parse import unquote

    body = purl[4:].split("?")[0].split("#")[0]
    body = body.rsplit("@", 1)[0] if "@" in body.split("/", 1)[-1] else body
    parts = body.split("/", 1)
    return unquote(parts[1])[:300] if len(parts) == 2 and parts[1] else None


def cve_of(f: Finding) -> str | None:
    for ident in (f.rule.id, *f.aliases):
        if ident[:4].upper() == "CVE-" and _CVE.match(ident):
            return ident.upper()
    return None


def _where(f: Finding) -> str:
    return f.location.display()[:2000]


def tracked_fields(f: Finding) -> dict[str, Any]:
    loc = f.location
    return {
        "severity": int(f.severity),
        "title": f.rule.title[:2000],
        "message": f.message[:10_000],
        "path": loc.path,
        "line": loc.line,
        "resource": loc.resource,
        "purl": loc.purl,
        "package_version": (loc.package_version or "")[:200] or None,
        "fix_available": f.fix.available,
        "fix_versions": list(f.fix.versions)[:100],
        "cvss": f.score,
        "cve": cve_of(f),
    }


def finding_row(f: Finding, tracked: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The stored columns of a finding; ``tracked`` is its :func:`tracked_fields` if already computed."""
    from garrison.core.serialize import finding_to_dict

    d = finding_to_dict(f)
    row = dict(tracked) if tracked is not None else tracked_fields(f)
    row.update(
        {
            "fingerprint": f.fingerprint[:128],
            "analyzer": f.analyzer[:100],
            "kind": f.kind.value,
            "rule_id": f.rule.id[:300],
            "package": package_name(f.location.purl),
            "aliases": list(f.aliases)[:100],
            "detail": {
                "rule": d["rule"],
                "location": d["location"],
                "evidence": d["evidence"],
                "fix_instruction": f.fix.instruction,
                "tags": list(f.tags),
            },
        }
    )
    return row


def build_upload(
    raw: bytes, *, branch: str, commit: str, partial: bool, tool: str | None = None, source: str = "upload"
) -> Upload:
    branch = branch.strip()
    if not branch or len(branch) > MAX_BRANCH:
        raise Invalid(f"branch must be 1–{MAX_BRANCH} characters", field="branch")
    if len(commit) > 100:
        raise Invalid("commit must be at most 100 characters", field="commit")
    report, fmt = parse_report(parse_body(raw), source=source)
    # scope: analyzers that ran and did not fail; files they could not read keep their findings open
    ran = {a.id[:100] for a in report.analyzers if not a.failed}
    skipped = frozenset((a.id[:100], e.path) for a in report.analyzers for e in a.errors if e.path)
    observed: list[Observed] = []
    findings: dict[str, tuple[Finding, Mapping[str, Any]]] = {}
    locations: dict[str, str] = {}
    everything = [*report.findings, *(s.finding for s in report.suppressed)]
    for i, f in enumerate(everything):
        fp = f.fingerprint[:128]
        if fp in findings:
            continue
        line = f.location.line
        if line is not None and line > MAX_INT:
            where = f"findings[{i}]" if i < len(report.findings) else f"suppressed[{i - len(report.findings)}]"
            raise Invalid(f"line {line} is out of range", field=f"{where}.location.region.start_line")
        fields = tracked_fields(f)
        findings[fp] = (f, fields)
        locations[fp] = _where(f)
        observed.append(Observed(fp, f.analyzer[:100], fields))
    tool_name = tool or (report.target.detail if fmt == "sarif" else "garrison")
    return Upload(
        report=report,
        format=fmt,
        tool=(tool_name or fmt)[:200],
        commit=commit.strip(),
        scope=Scope(branch=branch, analyzers=frozenset(ran), partial=partial, skipped=skipped),
        observed=tuple(observed),
        findings=findings,
        locations=locations,
    )
