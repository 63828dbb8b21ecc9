"""Run the iac analyzer in-process over a directory or over snippets."""

from __future__ import annotations

from pathlib import Path

from garrison.core.finding import Finding, SuppressedFinding
from garrison.core.options import Options
from garrison.scan.analyzer import ScanContext
from garrison.scan.analyzers.iac.analyzer import IacAnalyzer
from garrison.scan.source import SourceFile, disk_file


def scan_dir(
    root: Path, options: dict[str, object] | None = None
) -> tuple[list[Finding], list[SuppressedFinding], ScanContext]:
    analyzer = IacAnalyzer(Options(options or {}, where="analyzers.iac"))
    files: list[SourceFile] = []
    for p in sorted(root.rglob("*")):
        if p.is_file():
            rel = p.relative_to(root).as_posix()
            f = disk_file(str(root), rel, p.stat())
            if analyzer.wants(f):
                files.append(f)
    ctx = ScanContext(root=root)
    out = list(analyzer.analyze(files, ctx))
    findings = [x for x in out if isinstance(x, Finding)]
    suppressed = [x for x in out if isinstance(x, SuppressedFinding)]
    return findings, suppressed, ctx


def scan_files(
    tmp: Path, files: dict[str, str], options: dict[str, object] | None = None
) -> tuple[list[Finding], list[SuppressedFinding], ScanContext]:
    for name, text in files.items():
        p = tmp / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return scan_dir(tmp, options)
