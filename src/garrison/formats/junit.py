"""``--format junit``: one testcase per finding; failures for findings that fail the gate (CI test tabs)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from garrison.core.finding import Finding, Suppression
from garrison.core.report import Report
from garrison.formats.base import WriteOptions
from garrison.formats.text import one_line, where

if TYPE_CHECKING:
    from garrison.policy.gate import Decision


def _details(f: Finding) -> str:
    lines = [
        f"rule: {f.rule.id} — {f.rule.title}",
        f"severity: {f.severity.label}",
        f"location: {where(f)}",
        f"fingerprint: {f.fingerprint}",
        f"message: {f.message}",
    ]
    if f.rule.remediation:
        lines.append(f"remediation: {f.rule.remediation}")
    return "\n".join(lines)


class JunitWriter:
    name = "junit"
    extension = "xml"

    def write(self, report: Report, decision: Decision | None, options: WriteOptions) -> bytes:
        groups: dict[str, list[tuple[Finding, Suppression | None]]] = defaultdict(list)
        for f in report.findings:
            groups[f.analyzer].append((f, None))
        for s in report.suppressed:
            groups[s.finding.analyzer].append((s.finding, s.suppression))
        order = [a.id for a in report.analyzers] + sorted(set(groups) - {a.id for a in report.analyzers})
        errors = {a.id: a.errors for a in report.analyzers}
        root = ET.Element("testsuites", name="garrison")
        totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for analyzer_id in order:
            suite = ET.SubElement(root, "testsuite", name=f"garrison.{analyzer_id}")
            counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
            for f, sup in sorted(groups.get(analyzer_id, []), key=lambda t: t[0].sort_key()):
                case = ET.SubElement(
                    suite, "testcase", classname=f.rule.id, name=f"{where(f)}: {one_line(f.message, 200)}"
                )
                if f.location.path:
                    case.set("file", f.location.path)
                if f.location.line:
                    case.set("line", str(f.location.line))
                counts["tests"] += 1
                if sup is not None:
                    ET.SubElement(case, "skipped", message=f"suppressed ({sup.kind}): {sup.reason}")
                    counts["skipped"] += 1
                elif decision is not None and decision.fails(f):
                    fail = ET.SubElement(
                        case, "failure", type=f.severity.label, message=one_line(f"{f.rule.title}: {f.message}", 300)
                    )
                    fail.text = _details(f) + "\nfails the gate: " + "; ".join(decision.failing[f.fingerprint])
                    counts["failures"] += 1
                else:
                    out = ET.SubElement(case, "system-out")
                    out.text = _details(f)
            for e in errors.get(analyzer_id, ()):
                case = ET.SubElement(suite, "testcase", classname=f"{analyzer_id}.analysis", name=e.path or analyzer_id)
                counts["tests"] += 1
                if e.kind == "internal":
                    ET.SubElement(case, "error", message=one_line(e.message, 300))
                    counts["errors"] += 1
                else:
                    ET.SubElement(case, "skipped", message=one_line(e.message, 300))
                    counts["skipped"] += 1
            if counts["tests"] == 0:
                ET.SubElement(suite, "testcase", classname=f"{analyzer_id}.analysis", name="no findings")
                counts["tests"] = 1
            for k, v in counts.items():
                suite.set(k, str(v))
                totals[k] += v
        for k, v in totals.items():
            root.set(k, str(v))
        ET.indent(root)
        body = ET.tostring(root, encoding="unicode").encode()
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"
