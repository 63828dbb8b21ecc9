"""The finding model: immutable values with a stable fingerprint."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from garrison.core.fingerprint import fingerprint_of
from garrison.core.frozen import FrozenDict, freeze
from garrison.core.severity import Confidence, Severity


class FindingKind(StrEnum):
    SECRET = "secret"
    VULNERABILITY = "vulnerability"
    MISCONFIGURATION = "misconfiguration"
    CODE = "code"
    LICENSE = "license"
    COMPLIANCE = "compliance"
    DAST = "dast"


@dataclass(frozen=True, slots=True)
class FrameworkRef:
    """A control in a compliance framework, e.g. ``("CIS AWS 1.5", "2.1.1")``."""

    framework: str
    control: str


@dataclass(frozen=True, slots=True)
class Rule:
    """What was checked. Stable ``id``; everything else is descriptive."""

    id: str
    title: str
    severity: Severity
    confidence: Confidence = Confidence.HIGH
    description: str = ""
    remediation: str = ""
    cwe: tuple[int, ...] = ()
    references: tuple[str, ...] = ()
    frameworks: tuple[FrameworkRef, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Region:
    """1-based lines and columns; end values are inclusive and optional."""

    start_line: int
    start_column: int | None = None
    end_line: int | None = None
    end_column: int | None = None


@dataclass(frozen=True, slots=True)
class Commit:
    """Where a finding came from in version control (git-history and staged scans)."""

    sha: str
    author: str = ""
    email: str = ""
    date: str = ""  # ISO 8601, as git reports it


@dataclass(frozen=True, slots=True)
class Location:
    """Where the finding is. File findings set ``path`` (+ ``region``); dependency findings set ``purl``;
    IaC findings set ``resource``; dynamic findings set ``url``. Paths are POSIX and relative to the scan root;
    a member of an archive is ``archive.zip!inner/path``.
    """

    path: str | None = None
    region: Region | None = None
    purl: str | None = None
    package_version: str | None = None
    dependency_path: tuple[str, ...] = ()
    resource: str | None = None
    url: str | None = None
    commit: Commit | None = None

    @property
    def line(self) -> int | None:
        return self.region.start_line if self.region else None

    def display(self) -> str:
        parts: list[str] = []
        if self.path:
            parts.append(self.path + (f":{self.region.start_line}" if self.region else ""))
        if self.resource:
            parts.append(self.resource)
        if self.purl and not self.path:
            parts.append(self.purl)
        if self.url:
            parts.append(self.url)
        if self.commit:
            parts.append(f"@{self.commit.sha[:10]}")
        return " ".join(parts) or "-"


@dataclass(frozen=True, slots=True)
class Fix:
    available: bool = False
    versions: tuple[str, ...] = ()
    instruction: str = ""


EvidenceValue = str | int | float | bool | None | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found by one analyzer. Build with :func:`new_finding` so the fingerprint is right."""

    analyzer: str
    kind: FindingKind
    rule: Rule
    location: Location
    message: str
    severity: Severity
    fingerprint: str
    evidence: FrozenDict[EvidenceValue] = field(default_factory=FrozenDict)
    fix: Fix = Fix()
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    score: float | None = None

    def with_fingerprint(self, fingerprint: str) -> Finding:
        return replace(self, fingerprint=fingerprint)

    def sort_key(self) -> tuple[Any, ...]:
        loc = self.location
        return (
            -int(self.severity),
            loc.path or "",
            loc.line or 0,
            loc.resource or "",
            loc.purl or "",
            self.rule.id,
            self.fingerprint,
        )


def new_finding(
    *,
    analyzer: str,
    kind: FindingKind,
    rule: Rule,
    location: Location,
    message: str,
    anchor: str,
    severity: Severity | None = None,
    evidence: Mapping[str, EvidenceValue] | None = None,
    fix: Fix | None = None,
    tags: Sequence[str] = (),
    aliases: Sequence[str] = (),
    score: float | None = None,
) -> Finding:
    """Create a finding whose fingerprint hashes (analyzer, rule, path or package, anchor).

    ``anchor`` is what identifies the problem independently of line numbers: the hashed secret, the
    resource address, the package name, or the normalised text of the offending line.
    """
    place = location.path or location.purl or location.url or ""
    return Finding(
        analyzer=analyzer,
        kind=kind,
        rule=rule,
        location=location,
        message=message,
        severity=rule.severity if severity is None else severity,
        fingerprint=fingerprint_of(analyzer, rule.id, place, anchor),
        evidence=freeze(evidence),
        fix=fix or Fix(),
        tags=tuple(sorted(set(tags) | set(rule.tags))),
        aliases=tuple(aliases),
        score=score,
    )


SuppressionKind = Literal["waiver", "baseline", "inline"]


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding does not count: kept in the report, never dropped."""

    kind: SuppressionKind
    reason: str
    source: str = ""  # the waiver id / file:line, the baseline file, or the inline comment's file:line
    owner: str = ""
    expires: date | None = None


@dataclass(frozen=True, slots=True)
class SuppressedFinding:
    finding: Finding
    suppression: Suppression
