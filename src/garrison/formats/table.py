"""``--format table`` (default on a terminal): findings grouped by severity and a one-line summary."""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from garrison.core.report import Report
from garrison.core.severity import Severity
from garrison.formats.base import WriteOptions
from garrison.formats.text import one_line, where

if TYPE_CHECKING:
    from garrison.policy.gate import Decision

_COLORS = {
    Severity.CRITICAL: "\x1b[1;35m",
    Severity.HIGH: "\x1b[1;31m",
    Severity.MEDIUM: "\x1b[33m",
    Severity.LOW: "\x1b[36m",
    Severity.INFO: "\x1b[2m",
}
_RESET = "\x1b[0m"


class TableWriter:
    name = "table"
    extension = "txt"

    def write(self, report: Report, decision: Decision | None, options: WriteOptions) -> bytes:
        out: list[str] = []

        def paint(sev: Severity, text: str) -> str:
            return f"{_COLORS[sev]}{text}{_RESET}" if options.color else text

        for sev, group in groupby(report.findings, key=lambda f: f.severity):
            items = list(group)
            out.append(paint(sev, f"{sev.label.upper()} ({len(items)})"))
            shown = items if not options.limit else items[: options.limit]
            rows = [
                (
                    "✗" if decision is not None and decision.fails(f) else " ",
                    f.rule.id,
                    one_line(where(f), 70),
                    one_line(f.message, 100),
                )
                for f in shown
            ]
            w_rule = max(len(r[1]) for r in rows)
            w_loc = max(len(r[2]) for r in rows)
            for mark, rule, loc, msg in rows:
                out.append(f"  {mark} {rule.ljust(w_rule)}  {loc.ljust(w_loc)}  {msg}")
            if len(shown) < len(items):
                out.append(f"    … {len(items) - len(shown)} more (use --format json for all)")
            out.append("")
        for a in report.analyzers:
            for e in a.errors:
                label = "error" if e.kind == "internal" else "skipped"
                out.append(f"{label}: [{a.id}] {e.path + ': ' if e.path else ''}{e.message}")
        for w in report.warnings:
            out.append(f"warning: {w}")
        if any(a.errors for a in report.analyzers) or report.warnings:
            out.append("")
        out.append(summary_line(report, decision))
        return ("\n".join(out) + "\n").encode()


def summary_line(report: Report, decision: Decision | None) -> str:
    s = report.summary
    counts = ", ".join(f"{n} {sev}" for sev, n in s.by_severity.items() if n) or "no findings"
    st = report.stats
    parts = [
        f"{s.total} finding{'s' if s.total != 1 else ''} ({counts})",
        f"{s.suppressed} suppressed",
        f"{st.files_scanned} files scanned",
        f"{len(report.analyzers)} analyzer{'s' if len(report.analyzers) != 1 else ''}",
    ]
    line = "; ".join(parts)
    if decision is not None:
        if decision.passed:
            line += " — gate passed"
        else:
            n = len(decision.failing)
            line += f" — gate FAILED ({n} finding{'s' if n != 1 else ''})"
    return line
