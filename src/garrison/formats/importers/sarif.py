"""SARIF 2.1.0 → Garrison ``Report``: any tool's SARIF log becomes Findings with stable fingerprints.

Fingerprints: a result's ``fingerprints`` (if any), else its ``partialFingerprints``, else the normalised
snippet text, else the message — hashed with the tool, rule and path, never the line number. Exact repeats in
one file are numbered like the scan engine does. ``baselineState: absent`` results are not findings; results
with an accepted suppression are kept in ``Report.suppressed``.

Malformed input raises :class:`InputError` naming the JSON path of the problem.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from garrison.core.errors import InputError
from garrison.core.finding import (
    Finding,
    FindingKind,
    Location,
    Region,
    Rule,
    SuppressedFinding,
    Suppression,
    SuppressionKind,
    new_finding,
)
from garrison.core.fingerprint import disambiguate, line_anchor
from garrison.core.report import AnalyzerRun, Report, Target
from garrison.core.severity import Severity

LEVELS = {"error": Severity.HIGH, "warning": Severity.MEDIUM, "note": Severity.LOW, "none": Severity.INFO}
_CWE = re.compile(r"cwe[-/_:]?0*(\d{1,5})\b", re.IGNORECASE)
_VULN_ID = re.compile(r"^(CVE-\d{4}-\d+|GHSA-[\w-]+|PYSEC-[\w-]+|GO-\d{4}-\d+|RUSTSEC-[\w-]+|OSV-[\w-]+)$", re.I)
_SLUG = re.compile(r"[^a-z0-9]+")
MAX_TEXT = 20_000


def looks_like_sarif(data: Any) -> bool:
    return isinstance(data, Mapping) and isinstance(data.get("runs"), list) and "format" not in data


class _Path:
    """A JSON path for error messages."""

    def __init__(self, source: str | None) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> InputError:
        return InputError(message, path=self.source, field=where)


def _obj(p: _Path, v: Any, where: str, *, optional: bool = False) -> Mapping[str, Any]:
    if v is None and optional:
        return {}
    if not isinstance(v, Mapping):
        raise p.fail(where, f"expected an object, got {type(v).__name__}")
    return v


def _list(p: _Path, v: Any, where: str) -> list[Any]:
    if v is None:
        return []
    if not isinstance(v, list):
        raise p.fail(where, f"expected a list, got {type(v).__name__}")
    return v


def _str(p: _Path, v: Any, where: str, *, default: str = "") -> str:
    if v is None:
        return default
    if not isinstance(v, str):
        raise p.fail(where, f"expected a string, got {type(v).__name__}")
    return v[:MAX_TEXT]


def _int(p: _Path, v: Any, where: str) -> int | None:
    if v is None:
        return None
    if not isinstance(v, int) or isinstance(v, bool):
        raise p.fail(where, f"expected an integer, got {type(v).__name__}")
    return v


def _text(p: _Path, msg: Any, where: str, strings: Mapping[str, Any] | None = None) -> str:
    """A SARIF message object: ``text``, or ``id`` looked up in the rule's messageStrings, with {0} args."""
    m = _obj(p, msg, where, optional=True)
    text = _str(p, m.get("text"), f"{where}.text")
    if not text and m.get("id") is not None and strings:
        entry = strings.get(_str(p, m.get("id"), f"{where}.id"))
        if isinstance(entry, Mapping):
            text = _str(p, entry.get("text"), f"{where}.id")
    args = m.get("arguments")
    if text and isinstance(args, list):
        for i, a in enumerate(args[:50]):
            text = text.replace("{" + str(i) + "}", str(a))
    return text


def slug(name: str) -> str:
    return _SLUG.sub("-", name.lower()).strip("-") or "sarif"


def _security_severity(props: Mapping[str, Any]) -> float | None:
    raw = props.get("security-severity")
    if raw is None:
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if 0.0 <= value <= 10.0 else None


def _tags(props: Mapping[str, Any]) -> tuple[str, ...]:
    raw = props.get("tags")
    if not isinstance(raw, list):
        return ()
    return tuple(sorted({str(t)[:200] for t in raw if isinstance(t, (str, int))}))[:50]


def _cwes(tags: tuple[str, ...], props: Mapping[str, Any]) -> tuple[int, ...]:
    found = {int(m.group(1)) for t in tags for m in _CWE.finditer(t)}
    cwe = props.get("cwe")
    if isinstance(cwe, (str, int)) and not isinstance(cwe, bool):
        found |= {int(m.group(1)) for m in _CWE.finditer(f"cwe-{cwe}" if isinstance(cwe, int) else cwe)}
    return tuple(sorted(found))


class _Rules:
    """The run's rules (driver + extensions), by id and by index."""

    def __init__(self, p: _Path, run: Mapping[str, Any], where: str) -> None:
        self.by_id: dict[str, Mapping[str, Any]] = {}
        self.by_index: list[Mapping[str, Any]] = []
        tool = _obj(p, run.get("tool"), f"{where}.tool")
        driver = _obj(p, tool.get("driver"), f"{where}.tool.driver")
        components = [(driver, f"{where}.tool.driver")]
        for i, ext in enumerate(_list(p, tool.get("extensions"), f"{where}.tool.extensions")):
            components.append((_obj(p, ext, f"{where}.tool.extensions[{i}]"), f"{where}.tool.extensions[{i}]"))
        for n, (comp, cwhere) in enumerate(components):
            for i, rule in enumerate(_list(p, comp.get("rules"), f"{cwhere}.rules")):
                r = _obj(p, rule, f"{cwhere}.rules[{i}]")
                rid = _str(p, r.get("id"), f"{cwhere}.rules[{i}].id")
                if n == 0:
                    self.by_index.append(r)
                if rid and rid not in self.by_id:
                    self.by_id[rid] = r

    def find(self, rule_id: str, index: int | None) -> Mapping[str, Any]:
        if index is not None and 0 <= index < len(self.by_index):
            return self.by_index[index]
        return self.by_id.get(rule_id) or self.by_id.get(rule_id.split("/")[0]) or {}


def _rule(p: _Path, rid: str, raw: Mapping[str, Any], level: Severity, where: str) -> Rule:
    props = _obj(p, raw.get("properties"), f"{where}.properties", optional=True)
    tags = _tags(props)
    refs = (raw["helpUri"],) if isinstance(raw.get("helpUri"), str) else ()
    title = (
        _text(p, raw.get("shortDescription"), f"{where}.shortDescription")
        or _str(p, raw.get("name"), f"{where}.name")
        or rid
    )
    return Rule(
        id=rid,
        title=title.strip()[:500],
        severity=level,
        description=_text(p, raw.get("fullDescription"), f"{where}.fullDescription"),
        remediation=_text(p, raw.get("help"), f"{where}.help"),
        cwe=_cwes(tags, props),
        references=refs,
        tags=tags,
    )


def _uri(p: _Path, loc: Mapping[str, Any], artifacts: list[Any], where: str) -> str | None:
    art = _obj(p, loc.get("artifactLocation"), f"{where}.artifactLocation", optional=True)
    uri = _str(p, art.get("uri"), f"{where}.artifactLocation.uri")
    index = _int(p, art.get("index"), f"{where}.artifactLocation.index")
    if not uri and index is not None and 0 <= index < len(artifacts) and isinstance(artifacts[index], Mapping):
        inner = artifacts[index].get("location")
        if isinstance(inner, Mapping) and isinstance(inner.get("uri"), str):
            uri = inner["uri"]
    if not uri:
        return None
    if uri.startswith("file://"):
        uri = uri[len("file://") :]
    uri = unquote(uri)
    while uri.startswith("./"):
        uri = uri[2:]
    return uri or None


def _location(p: _Path, result: Mapping[str, Any], artifacts: list[Any], where: str) -> tuple[Location, str]:
    """The primary location and its snippet text (for the fallback anchor)."""
    locs = _list(p, result.get("locations"), f"{where}.locations")
    path = None
    region = None
    snippet = ""
    resource = None
    if locs:
        first = _obj(p, locs[0], f"{where}.locations[0]")
        phys = _obj(p, first.get("physicalLocation"), f"{where}.locations[0].physicalLocation", optional=True)
        if phys:
            pw = f"{where}.locations[0].physicalLocation"
            path = _uri(p, phys, artifacts, pw)
            reg = _obj(p, phys.get("region"), f"{pw}.region", optional=True)
            start = _int(p, reg.get("startLine"), f"{pw}.region.startLine")
            if start is not None and start >= 1:
                region = Region(
                    start,
                    _int(p, reg.get("startColumn"), f"{pw}.region.startColumn"),
                    _int(p, reg.get("endLine"), f"{pw}.region.endLine"),
                    _int(p, reg.get("endColumn"), f"{pw}.region.endColumn"),
                )
            snip = _obj(p, reg.get("snippet"), f"{pw}.region.snippet", optional=True)
            snippet = _str(p, snip.get("text"), f"{pw}.region.snippet.text")
        logical = _list(p, first.get("logicalLocations"), f"{where}.locations[0].logicalLocations")
        if logical and isinstance(logical[0], Mapping):
            name = logical[0].get("fullyQualifiedName") or logical[0].get("name")
            if isinstance(name, str) and name:
                resource = name[:1000]
    return Location(path=path, region=region, resource=resource), snippet


def _anchor(p: _Path, result: Mapping[str, Any], snippet: str, message: str, where: str) -> str:
    for key in ("fingerprints", "partialFingerprints"):
        fps = _obj(p, result.get(key), f"{where}.{key}", optional=True)
        items = sorted((str(k), str(v)) for k, v in fps.items() if isinstance(v, (str, int)))
        if items:
            return key + ":" + "|".join(f"{k}={v}" for k, v in items)
    if snippet.strip():
        return "snippet:" + line_anchor(snippet)
    return "message:" + line_anchor(message)


def _suppression(p: _Path, result: Mapping[str, Any], where: str) -> Suppression | None:
    for i, s in enumerate(_list(p, result.get("suppressions"), f"{where}.suppressions")):
        sup = _obj(p, s, f"{where}.suppressions[{i}]")
        status = sup.get("status", "accepted")
        if status not in ("accepted", None):
            continue
        kind: SuppressionKind = "inline" if sup.get("kind") == "inSource" else "waiver"
        reason = _str(p, sup.get("justification"), f"{where}.suppressions[{i}].justification")
        return Suppression(kind=kind, reason=reason or "suppressed in the SARIF log", source="sarif")
    return None


def _kind(rule_id: str, tags: tuple[str, ...]) -> FindingKind:
    low = {t.lower() for t in tags}
    if _VULN_ID.match(rule_id) or low & {"vulnerability", "dependency", "sca", "vulnerable-dependency"}:
        return FindingKind.VULNERABILITY
    if low & {"secret", "secrets", "credential"}:
        return FindingKind.SECRET
    if low & {"misconfiguration", "iac", "configuration"}:
        return FindingKind.MISCONFIGURATION
    return FindingKind.CODE


def import_sarif(data: Any, *, source: str | None = None) -> Report:
    p = _Path(source)
    doc = _obj(p, data, "")
    version = doc.get("version")
    if version is not None and version != "2.1.0":
        raise p.fail("version", f"unsupported SARIF version {version!r} (this Garrison reads 2.1.0)")
    runs = _list(p, doc.get("runs"), "runs")
    if "runs" not in doc:
        raise p.fail("runs", "is required (not a SARIF log)")
    findings: list[Finding] = []
    suppressed: list[SuppressedFinding] = []
    analyzer_runs: dict[str, AnalyzerRun] = {}
    tools = []
    for ri, raw_run in enumerate(runs):
        rw = f"runs[{ri}]"
        run = _obj(p, raw_run, rw)
        rules = _Rules(p, run, rw)
        driver = run["tool"]["driver"]
        name = _str(p, driver.get("name"), f"{rw}.tool.driver.name")
        if not name.strip():
            raise p.fail(f"{rw}.tool.driver.name", "is required")
        analyzer = slug(name)
        tools.append(name)
        version_s = _str(p, driver.get("semanticVersion") or driver.get("version"), f"{rw}.tool.driver.version")
        analyzer_runs.setdefault(analyzer, AnalyzerRun(id=analyzer, version=version_s[:100]))
        artifacts = _list(p, run.get("artifacts"), f"{rw}.artifacts")
        counts: dict[str, int] = defaultdict(int)
        for i, raw_res in enumerate(_list(p, run.get("results"), f"{rw}.results")):
            w = f"{rw}.results[{i}]"
            res = _obj(p, raw_res, w)
            if res.get("baselineState") == "absent":
                continue
            rule_ref = _obj(p, res.get("rule"), f"{w}.rule", optional=True)
            rid = _str(p, res.get("ruleId"), f"{w}.ruleId") or _str(p, rule_ref.get("id"), f"{w}.rule.id")
            rindex = _int(p, res.get("ruleIndex"), f"{w}.ruleIndex")
            if rindex is None:
                rindex = _int(p, rule_ref.get("index"), f"{w}.rule.index")
            raw_rule = rules.find(rid, rindex)
            if not rid:
                rid = _str(p, raw_rule.get("id"), f"{w}.rule") or "unknown"
            props = _obj(p, raw_rule.get("properties"), f"{w}.rule.properties", optional=True)
            rprops = _obj(p, res.get("properties"), f"{w}.properties", optional=True)
            cvss = _security_severity(rprops) or _security_severity(props)
            level_s = res.get("level")
            if level_s is None:
                conf = raw_rule.get("defaultConfiguration")
                level_s = conf.get("level") if isinstance(conf, Mapping) else None
            level_s = level_s if isinstance(level_s, str) and level_s in LEVELS else "warning"
            severity = Severity.from_cvss(cvss) if cvss is not None else LEVELS[level_s]
            rule = _rule(p, rid[:300], raw_rule, severity, f"{w}.rule")
            strings = raw_rule.get("messageStrings")
            message = _text(p, res.get("message"), f"{w}.message", strings if isinstance(strings, Mapping) else None)
            location, snippet = _location(p, res, artifacts, w)
            anchor = _anchor(p, res, snippet, message, w)
            finding = new_finding(
                analyzer=analyzer,
                kind=_kind(rid, rule.tags),
                rule=rule,
                location=location,
                message=message or rule.title,
                anchor=anchor,
                severity=severity,
                score=cvss,
            )
            n = counts[finding.fingerprint]
            counts[finding.fingerprint] += 1
            finding = finding.with_fingerprint(disambiguate(finding.fingerprint, n))
            sup = _suppression(p, res, w)
            if sup is not None:
                suppressed.append(SuppressedFinding(finding, sup))
            else:
                findings.append(finding)
    return Report(
        target=Target(path=source or "sarif", kind="sarif", detail=", ".join(dict.fromkeys(tools))),
        tool_version="sarif-2.1.0",
        analyzers=tuple(analyzer_runs.values()),
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        suppressed=tuple(suppressed),
    )
