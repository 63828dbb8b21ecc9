"""OSV range semantics, exactly: does a version fall in an ``affected`` entry?

For each ECOSYSTEM/SEMVER range, events are ordered by the ecosystem's comparator (``introduced: "0"``
first; events at equal versions keep their listed order, as osv.dev does — so ``fixed: 3.1.1`` listed
before ``introduced: 3.1.1`` joins two adjacent spans, while ``introduced: X, fixed: X`` is empty) and
walked: ``introduced`` ≤ v starts an affected span, ``fixed`` ≤ v ends it, ``last_affected`` < v ends it;
a range with ``limit`` events affects only versions below some limit (``limit: "*"`` means no limit).
A version is affected if any matchable range includes it or it is listed verbatim in ``versions``.
GIT ranges never match.

A version the comparator cannot parse is decided by the explicit ``versions`` list alone; an event version
it cannot parse makes that range undecidable (it is skipped, never guessed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from garrison.advisories.model import Affected, Event, Range
from garrison.advisories.versions import InvalidVersion, VersionScheme

_ZERO = object()  # sorts before every version


class Undecidable(Exception):
    """The range cannot be evaluated with this comparator (an event version does not parse)."""


def _event_key(scheme: VersionScheme, e: Event) -> Any:
    if e.kind == "introduced" and e.version == "0":
        return _ZERO
    try:
        return scheme.key(e.version)
    except InvalidVersion:
        raise Undecidable(f"{e.kind} {e.version!r} is not a {scheme.ecosystem} version") from None


@dataclass(frozen=True, slots=True)
class _Compiled:
    steps: tuple[tuple[str, Any], ...]  # (kind, key) in order; key is _ZERO for introduced "0"
    limits: tuple[Any, ...]
    unlimited: bool


@lru_cache(maxsize=32768)
def _compile(scheme: VersionScheme, rng: Range) -> _Compiled:
    steps = []
    limits = []
    unlimited = False
    for e in rng.events:
        if e.kind == "limit":
            if e.version == "*":
                unlimited = True
            else:
                limits.append(_event_key(scheme, e))
            continue
        steps.append((e.kind, _event_key(scheme, e)))

    # by version ("0" first); events at equal versions keep the order the advisory lists them in
    zero = tuple(s for s in steps if s[1] is _ZERO)
    indexed = [(i, s) for i, s in enumerate(steps) if s[1] is not _ZERO]
    indexed.sort(key=lambda t: (t[1][1], t[0]))
    ordered = zero + tuple(s for _, s in indexed)
    return _Compiled(ordered, tuple(limits), unlimited)


def range_includes(scheme: VersionScheme, rng: Range, version_key: Any) -> bool:
    """Whether one ECOSYSTEM/SEMVER range includes the version (raises :class:`Undecidable`)."""
    c = _compile(scheme, rng)
    affected = False
    for kind, key in c.steps:
        if kind == "introduced":
            if key is _ZERO or version_key >= key:
                affected = True
        elif key is not _ZERO and (
            (kind == "fixed" and version_key >= key) or (kind == "last_affected" and version_key > key)
        ):
            affected = False
    if affected and c.limits and not c.unlimited:
        return any(version_key < lim for lim in c.limits)
    return affected


def is_affected(scheme: VersionScheme, affected: Affected, version: str) -> bool:
    """Whether ``version`` of ``affected``'s package is affected (explicit list or any decidable range)."""
    if version in affected.versions:
        return True
    try:
        key = scheme.key(version)
    except InvalidVersion:
        return False
    for rng in affected.ranges:
        if not rng.matchable:
            continue
        try:
            if range_includes(scheme, rng, key):
                return True
        except Undecidable:
            continue
    return False


def decidable_ranges(scheme: VersionScheme, ranges: Iterable[Range]) -> list[Range]:
    out = []
    for rng in ranges:
        if not rng.matchable:
            continue
        try:
            _compile(scheme, rng)
        except Undecidable:
            continue
        out.append(rng)
    return out


def fixed_versions(scheme: VersionScheme, affected: Sequence[Affected], version: str) -> list[str]:
    """Fixed versions above ``version`` that no entry in ``affected`` still affects, oldest first."""
    try:
        key = scheme.key(version)
    except InvalidVersion:
        return []
    candidates: dict[str, Any] = {}
    for a in affected:
        for rng in a.ranges:
            if not rng.matchable:
                continue
            for e in rng.events:
                if e.kind != "fixed" or e.version in candidates:
                    continue
                try:
                    k = scheme.key(e.version)
                except InvalidVersion:
                    continue
                if k > key:
                    candidates[e.version] = k
    good = [v for v in candidates if not any(is_affected(scheme, a, v) for a in affected)]
    return sorted(good, key=lambda v: candidates[v])


def recommended_fix(scheme: VersionScheme, fixes: Sequence[str], version: str) -> str | None:
    """The nearest fixed version, within the installed major where one exists."""
    if not fixes:
        return None
    major = scheme.major(version)
    same = [f for f in fixes if scheme.major(f) == major]
    return (same or list(fixes))[0]
