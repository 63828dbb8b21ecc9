"""``--format sarif``: SARIF 2.1.0, one run per analyzer, validated in tests against the OASIS schema.

Rules carry help text, ``security-severity`` (GitHub code scanning) and CWE relationships into a CWE
taxonomy; results carry ``partialFingerprints`` and regions; suppressed findings are kept with
``suppressions`` (kind ``external`` for waivers/baselines, ``inSource`` for inline comments).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from garrison import __version__
from garrison.core.finding import Finding, Rule, Suppression
from garrison.core.report import Report
from garrison.core.severity import Severity
from garrison.formats.base import WriteOptions
from garrison.formats.jsonbytes import dumps_pretty

if TYPE_CHECKING:
    from garrison.policy.gate import Decision

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/garrison-sec/garrison"
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
#: GitHub code scanning maps security-severity scores back to its own buckets
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
    Severity.INFO: "0.0",
}


def _text(s: str, fallback: str) -> dict[str, str]:
    return {"text": s.strip() or fallback}


def _rule_descriptor(rule: Rule, cwe_index: dict[int, int]) -> dict[str, Any]:
    desc: dict[str, Any] = {
        "id": rule.id,
        "name": "".join(p.capitalize() for p in rule.id.replace("-", ".").replace("_", ".").split(".") if p),
        "shortDescription": _text(rule.title, rule.id),
        "fullDescription": _text(rule.description or rule.title, rule.id),
        "help": _help(rule),
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "tags": sorted({"security", *rule.tags, *(f"external/cwe/cwe-{c}" for c in rule.cwe)}),
            "precision": {0: "low", 1: "medium", 2: "high"}[int(rule.confidence)],
            "security-severity": _SECURITY_SEVERITY[rule.severity],
            "severity": rule.severity.label,
        },
    }
    if rule.references:
        desc["helpUri"] = rule.references[0]
    if rule.frameworks:
        desc["properties"]["frameworks"] = [f"{f.framework}: {f.control}" for f in rule.frameworks]
    if rule.cwe:
        desc["relationships"] = [
            {
                "target": {"id": str(c), "index": cwe_index[c], "toolComponent": {"name": "CWE", "index": 0}},
                "kinds": ["superset"],
            }
            for c in rule.cwe
        ]
    return desc


def _help(rule: Rule) -> dict[str, str]:
    text = "\n\n".join(x for x in (rule.description, rule.remediation) if x) or rule.title
    md_parts = [x for x in (rule.description, f"**Remediation:** {rule.remediation}" if rule.remediation else "") if x]
    if rule.references:
        md_parts.append("\n".join(f"- <{r}>" for r in rule.references))
    return {"text": text, "markdown": "\n\n".join(md_parts) or rule.title}


def _suppression(s: Suppression) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "inSource" if s.kind == "inline" else "external",
        "status": "accepted",
        "justification": s.reason or s.kind,
    }
    props = {"garrisonKind": s.kind, "source": s.source}
    if s.owner:
        props["owner"] = s.owner
    if s.expires:
        props["expires"] = s.expires.isoformat()
    out["properties"] = props
    return out


def _result(f: Finding, rule_index: int, suppression: Suppression | None, decision: Decision | None) -> dict[str, Any]:
    loc = f.location
    location: dict[str, Any] = {}
    if loc.path:
        uri = quote(loc.path, safe="/!@:+,;=-._~")
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}}
        if loc.region:
            region: dict[str, int] = {"startLine": loc.region.start_line}
            if loc.region.start_column:
                region["startColumn"] = loc.region.start_column
            if loc.region.end_line:
                region["endLine"] = loc.region.end_line
            if loc.region.end_column:
                region["endColumn"] = loc.region.end_column
            physical["region"] = region
        location["physicalLocation"] = physical
    logical = []
    if loc.resource:
        logical.append({"fullyQualifiedName": loc.resource, "kind": "resource"})
    if loc.purl:
        logical.append({"fullyQualifiedName": loc.purl, "kind": "package"})
    if loc.url:
        logical.append({"fullyQualifiedName": loc.url, "kind": "url"})
    if logical:
        location["logicalLocations"] = logical
    props: dict[str, Any] = {"severity": f.severity.label, "kind": f.kind.value}
    if f.score is not None:
        props["score"] = f.score
    if f.tags:
        props["tags"] = list(f.tags)
    if f.aliases:
        props["aliases"] = list(f.aliases)
    if f.fix.available:
        props["fix"] = {"versions": list(f.fix.versions), "instruction": f.fix.instruction}
    if loc.commit:
        props["commit"] = {"sha": loc.commit.sha, "author": loc.commit.author, "date": loc.commit.date}
    if f.evidence:
        props["evidence"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in sorted(f.evidence.items())}
    if decision is not None:
        props["gate"] = "fail" if decision.fails(f) else "pass"
    result: dict[str, Any] = {
        "ruleId": f.rule.id,
        "ruleIndex": rule_index,
        "level": _LEVEL[f.severity],
        "message": {"text": f.message or f.rule.title},
        "locations": [location] if location else [],
        "partialFingerprints": {"garrison/v1": f.fingerprint},
        "properties": props,
    }
    if suppression is not None:
        result["suppressions"] = [_suppression(suppression)]
    return result


class SarifWriter:
    name = "sarif"
    extension = "sarif"

    def write(self, report: Report, decision: Decision | None, options: WriteOptions) -> bytes:
        return dumps_pretty(build_sarif(report, decision))


def build_sarif(report: Report, decision: Decision | None) -> dict[str, Any]:
    by_analyzer: dict[str, list[tuple[Finding, Suppression | None]]] = defaultdict(list)
    for f in report.findings:
        by_analyzer[f.analyzer].append((f, None))
    for s in report.suppressed:
        by_analyzer[s.finding.analyzer].append((s.finding, s.suppression))
    versions = {a.id: a.version for a in report.analyzers}
    errors = {a.id: a.errors for a in report.analyzers}
    order = [a.id for a in report.analyzers] + sorted(set(by_analyzer) - set(versions))
    runs = []
    for analyzer_id in order:
        items = sorted(by_analyzer.get(analyzer_id, []), key=lambda t: t[0].sort_key())
        rules: dict[str, Rule] = {}
        for f, _ in items:
            rules.setdefault(f.rule.id, f.rule)
        rule_ids = sorted(rules)
        rule_index = {rid: i for i, rid in enumerate(rule_ids)}
        cwes = sorted({c for r in rules.values() for c in r.cwe})
        cwe_index = {c: i for i, c in enumerate(cwes)}
        driver: dict[str, Any] = {
            "name": f"garrison-{analyzer_id}",
            "fullName": f"Garrison {analyzer_id} analyzer",
            "version": versions.get(analyzer_id, __version__),
            "semanticVersion": __version__,
            "informationUri": INFO_URI,
            "rules": [_rule_descriptor(rules[rid], cwe_index) for rid in rule_ids],
        }
        run: dict[str, Any] = {"tool": {"driver": driver}}
        if cwes:
            driver["supportedTaxonomies"] = [{"name": "CWE", "index": 0}]
            run["taxonomies"] = [
                {
                    "name": "CWE",
                    "organization": "MITRE",
                    "shortDescription": {"text": "The MITRE Common Weakness Enumeration"},
                    "informationUri": "https://cwe.mitre.org/",
                    "isComprehensive": False,
                    "taxa": [
                        {"id": str(c), "helpUri": f"https://cwe.mitre.org/data/definitions/{c}.html"} for c in cwes
                    ],
                }
            ]
        run["originalUriBaseIds"] = {
            "%SRCROOT%": {"description": {"text": f"The scanned {report.target.kind}: {report.target.path}"}}
        }
        run["automationDetails"] = {"id": f"garrison/{analyzer_id}/"}
        run["results"] = [_result(f, rule_index[f.rule.id], s, decision) for f, s in items]
        notifications = [
            {
                "level": "error" if e.kind == "internal" else "warning",
                "message": {"text": f"{e.path + ': ' if e.path else ''}{e.message}"},
            }
            for e in errors.get(analyzer_id, ())
        ]
        run["invocations"] = [
            {
                "executionSuccessful": not any(e.kind == "internal" for e in errors.get(analyzer_id, ())),
                "toolExecutionNotifications": notifications,
            }
        ]
        runs.append(run)
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": runs}
