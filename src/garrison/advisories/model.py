"""The OSV advisory model Garrison keeps: only what matching and reporting need, as immutable values.

OSV schema: https://ossf.github.io/osv-schema/ . ``affected[].ranges`` of type ECOSYSTEM and SEMVER are
evaluated; GIT ranges are kept (for display) but never used to match packages, since a lockfile names
versions, not commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EventKind = Literal["introduced", "fixed", "last_affected", "limit"]
EVENT_KINDS: tuple[EventKind, ...] = ("introduced", "fixed", "last_affected", "limit")


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    version: str


@dataclass(frozen=True, slots=True)
class Range:
    type: str  # ECOSYSTEM | SEMVER | GIT
    events: tuple[Event, ...]
    repo: str = ""

    @property
    def matchable(self) -> bool:
        return self.type in ("ECOSYSTEM", "SEMVER")


@dataclass(frozen=True, slots=True)
class Affected:
    ecosystem: str  # OSV spelling, possibly with a suffix ("Debian:11"); matched on the part before ':'
    name: str
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()
    purl: str = ""


@dataclass(frozen=True, slots=True)
class Severity:
    """One ``severity`` entry: a CVSS vector (``CVSS_V2``/``CVSS_V3``/``CVSS_V4``) or another scheme's score."""

    type: str
    score: str


@dataclass(frozen=True, slots=True)
class Advisory:
    id: str
    modified: str = ""
    published: str = ""
    withdrawn: str = ""
    summary: str = ""
    details: str = ""
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    affected: tuple[Affected, ...] = ()
    severity: tuple[Severity, ...] = ()
    #: ``database_specific.severity`` (GHSA: LOW/MODERATE/HIGH/CRITICAL), when present
    database_severity: str = ""
    references: tuple[str, ...] = ()
    cwes: tuple[int, ...] = ()
    #: computed at import: the CVSS base score chosen by :func:`garrison.advisories.cvss.best_score`
    score: float | None = None
    score_vector: str = ""
    ecosystems: tuple[str, ...] = field(default=())

    @property
    def ids(self) -> tuple[str, ...]:
        """Its own id first, then its aliases."""
        return (self.id, *(a for a in self.aliases if a != self.id))
