"""``--format markdown``: a summary fit for a pull-request comment (GitHub/GitLab flavoured)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from garrison.core.finding import Finding
from garrison.core.report import Report
from garrison.formats.base import WriteOptions
from garrison.formats.text import one_line, where

if TYPE_CHECKING:
    from garrison.policy.gate import Decision

MAX_ROWS = 50


def _cell(text: str, limit: int = 140) -> str:
    return one_line(text, limit).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _table(findings: list[Finding]) -> list[str]:
    rows = ["| Severity | Rule | Location | Message |", "|---|---|---|---|"]
    for f in findings[:MAX_ROWS]:
        rows.append(f"| {f.severity.label} | `{_cell(f.rule.id, 60)}` | `{_cell(where(f), 80)}` | {_cell(f.message)} |")
    if len(findings) > MAX_ROWS:
        rows.append(f"\n_… and {len(findings) - MAX_ROWS} more._")
    return rows


class MarkdownWriter:
    name = "markdown"
    extension = "md"

    def write(self, report: Report, decision: Decision | None, options: WriteOptions) -> bytes:
        s = report.summary
        if decision is None:
            status = "scan complete"
        elif decision.passed:
            status = "✅ gate passed"
        else:
            status = f"❌ gate failed — {len(decision.failing)} finding(s) must be fixed or waived"
        out = [f"## Garrison: {status}", ""]
        out.append("| Critical | High | Medium | Low | Info | Suppressed |")
        out.append("|---:|---:|---:|---:|---:|---:|")
        b = s.by_severity
        out.append(f"| {b['critical']} | {b['high']} | {b['medium']} | {b['low']} | {b['info']} | {s.suppressed} |")
        out.append("")
        if decision is not None and decision.conditions:
            out.append("Gate conditions: " + ", ".join(f"`{_cell(c)}`" for c in decision.conditions))
            out.append("")
        failing = [f for f in report.findings if decision is not None and decision.fails(f)]
        other = [f for f in report.findings if not (decision is not None and decision.fails(f))]
        if failing:
            out.append("### Failing the gate")
            out.extend(_table(failing))
            out.append("")
        if other:
            title = "Other findings" if failing or decision is not None else "Findings"
            out.append(f"<details><summary>{title} ({len(other)})</summary>\n")
            out.extend(_table(other))
            out.append("\n</details>\n")
        errors = [(a.id, e) for a in report.analyzers for e in a.errors]
        if errors:
            out.append(f"<details><summary>Analyzer problems ({len(errors)})</summary>\n")
            for aid, e in errors[:MAX_ROWS]:
                out.append(f"- **{aid}** {e.kind}: `{_cell(e.path or '-', 80)}` {_cell(e.message)}")
            out.append("\n</details>\n")
        for w in report.warnings:
            out.append(f"> ⚠️ {_cell(w, 300)}")
        st = report.stats
        out.append(
            f"<sub>Garrison {report.tool_version} · {st.files_scanned} files · "
            f"{', '.join(a.id for a in report.analyzers) or 'no analyzers'}</sub>"
        )
        return ("\n".join(out) + "\n").encode()
