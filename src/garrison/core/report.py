"""The report: what one scan found, what it suppressed and what ran."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from garrison.core.finding import Finding, FindingKind, SuppressedFinding
from garrison.core.frozen import FrozenDict
from garrison.core.severity import Severity

REPORT_SCHEMA_VERSION = "1.0"

ErrorKind = Literal["input", "internal"]


@dataclass(frozen=True, slots=True)
class AnalyzerError:
    """``input``: one file could not be analyzed (malformed, hostile, undecodable) — the scan went on.
    ``internal``: the analyzer itself failed (a bug or missing resource) — exit code 3 unless --keep-going.
    """

    message: str
    path: str | None = None
    kind: ErrorKind = "input"


@dataclass(frozen=True, slots=True)
class AnalyzerRun:
    id: str
    version: str
    files: int = 0
    duration: float = 0.0
    errors: tuple[AnalyzerError, ...] = ()

    @property
    def failed(self) -> bool:
        return any(e.kind == "internal" for e in self.errors)


@dataclass(frozen=True, slots=True)
class Target:
    """What was scanned: a directory, the staged index, git history, a report imported from elsewhere…"""

    path: str
    kind: str = "directory"
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ScanStats:
    files_seen: int = 0
    files_scanned: int = 0
    skipped_ignored: int = 0
    skipped_large: int = 0
    skipped_binary: int = 0
    skipped_symlinks: int = 0
    bytes_scanned: int = 0


@dataclass(frozen=True, slots=True)
class Summary:
    total: int
    by_severity: dict[str, int]
    by_kind: dict[str, int]
    suppressed: int


@dataclass(frozen=True, slots=True)
class Report:
    target: Target
    tool_version: str
    analyzers: tuple[AnalyzerRun, ...] = ()
    findings: tuple[Finding, ...] = ()
    suppressed: tuple[SuppressedFinding, ...] = ()
    stats: ScanStats = ScanStats()
    warnings: tuple[str, ...] = ()
    metadata: FrozenDict[Any] = field(default_factory=FrozenDict)
    started_at: str | None = None  # only when the user asked for timestamps
    schema_version: str = REPORT_SCHEMA_VERSION

    @property
    def summary(self) -> Summary:
        sev = Counter(f.severity.label for f in self.findings)
        kinds = Counter(f.kind.value for f in self.findings)
        return Summary(
            total=len(self.findings),
            by_severity={s.label: sev.get(s.label, 0) for s in sorted(Severity, reverse=True)},
            by_kind={k.value: kinds[k.value] for k in FindingKind if kinds.get(k.value)},
            suppressed=len(self.suppressed),
        )

    @property
    def failed_analyzers(self) -> tuple[AnalyzerRun, ...]:
        return tuple(a for a in self.analyzers if a.failed)
