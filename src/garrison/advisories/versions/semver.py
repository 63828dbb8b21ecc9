"""SemVer 2.0.0 precedence, shared by npm, crates.io and Go (with each one's spelling rules).

Precedence (semver.org §11): numeric major.minor.patch; a pre-release sorts before its release;
pre-release identifiers compare numerically when numeric, in ASCII order otherwise, numeric < alphanumeric,
and a shorter list of equal identifiers sorts first. Build metadata (``+…``) is ignored.
"""

from __future__ import annotations

import re
from typing import ClassVar

from garrison.advisories.versions.base import InvalidVersion, VersionScheme

SemverKey = tuple[int, int, int, int, tuple[tuple[int, int, str], ...] | tuple[()]]

_STRICT = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
# node-semver's "loose" form: leading v/=, whitespace, leading zeros
_LOOSE = re.compile(
    r"^\s*[v=\s]*(\d+)\.(\d+)\.(\d+)(?:-?((?:\d+|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:\d+|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?\s*$"
)
_MAX_LEN = 256


def semver_key(major: str, minor: str, patch: str, pre: str | None) -> SemverKey:
    if pre:
        ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
        return (int(major), int(minor), int(patch), 0, ids)
    return (int(major), int(minor), int(patch), 1, ())


def parse_strict(version: str) -> SemverKey:
    if len(version) > _MAX_LEN:
        raise InvalidVersion(f"version too long ({len(version)} chars)")
    m = _STRICT.match(version)
    if not m:
        raise InvalidVersion(f"not a SemVer 2.0 version: {version!r}")
    return semver_key(m.group(1), m.group(2), m.group(3), m.group(4))


class SemverScheme(VersionScheme):
    """Plain SemVer 2.0.0 (strict)."""

    ecosystem: ClassVar[str] = "SEMVER"
    purl_type: ClassVar[str] = "generic"

    def parse(self, version: str) -> SemverKey:
        return parse_strict(version)


class NpmScheme(SemverScheme):
    """npm: node-semver, which also accepts a leading ``v``/``=`` and surrounding spaces."""

    ecosystem: ClassVar[str] = "npm"
    purl_type: ClassVar[str] = "npm"

    def parse(self, version: str) -> SemverKey:
        if len(version) > _MAX_LEN:
            raise InvalidVersion(f"version too long ({len(version)} chars)")
        m = _STRICT.match(version) or _LOOSE.match(version)
        if not m:
            raise InvalidVersion(f"not an npm version: {version!r}")
        return semver_key(m.group(1), m.group(2), m.group(3), m.group(4))


class CratesScheme(SemverScheme):
    """crates.io: Cargo's strict SemVer 2.0.0. Crate names match regardless of case and ``-``/``_``."""

    ecosystem: ClassVar[str] = "crates.io"
    purl_type: ClassVar[str] = "cargo"

    def normalize_name(self, name: str) -> str:
        return name.strip().lower().replace("_", "-")


class GoScheme(SemverScheme):
    """Go modules: semantic versions with a ``v`` (optional here, as OSV ranges omit it).

    Pseudo-versions (``v0.0.0-20191109021931-daa7c04131f5``, ``v1.2.4-0.2019…``) are SemVer pre-releases,
    so they sort between the tagged versions around them, as the go command orders them; ``+incompatible``
    is build metadata and does not change precedence.
    """

    ecosystem: ClassVar[str] = "Go"
    purl_type: ClassVar[str] = "golang"

    def parse(self, version: str) -> SemverKey:
        v = version.strip()
        if v[:1] == "v":
            v = v[1:]
        return parse_strict(v)
