"""What a check is: an id, what it says, where it maps, which resource types it applies to, and a predicate.

A predicate returns PASS (or ``None``), UNDECIDED (it depends on a value that is not known statically), a
:class:`Fail`, or a list of them (one per offending container, rule, statement …). Checks are plain values
built once; nothing registers itself and nothing is mutated during a scan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from garrison.core.finding import FrameworkRef, Rule
from garrison.core.severity import Confidence, Severity
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import Resource


class Verdict(Enum):
    PASS = "pass"
    UNDECIDED = "undecided"


PASS = Verdict.PASS
UNDECIDED = Verdict.UNDECIDED


@dataclass(frozen=True, slots=True)
class Fail:
    message: str = ""
    line: int | None = None
    end_line: int | None = None
    #: distinguishes several failures of one check on one resource (container name, rule index …)
    key: str = ""


Outcome = Verdict | Fail | list[Fail] | None
Predicate = Callable[[Resource, Graph], Outcome]


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    title: str
    severity: Severity
    applies_to: frozenset[str]
    predicate: Predicate = field(repr=False, compare=False)
    description: str = ""
    remediation: str = ""
    references: tuple[str, ...] = ()
    frameworks: tuple[FrameworkRef, ...] = ()
    cwe: tuple[int, ...] = ()
    platform: str = ""
    tags: tuple[str, ...] = ()
    confidence: Confidence = Confidence.HIGH
    #: Checkov check ids with the same meaning (the migration/accuracy mapping table is built from these)
    checkov: tuple[str, ...] = ()

    def rule(self) -> Rule:
        return Rule(
            id=self.id,
            title=self.title,
            severity=self.severity,
            confidence=self.confidence,
            description=self.description,
            remediation=self.remediation,
            cwe=self.cwe,
            references=self.references,
            frameworks=self.frameworks,
            tags=("iac", self.platform, *self.tags) if self.platform else ("iac", *self.tags),
        )

    def applies(self, resource: Resource) -> bool:
        return resource.type in self.applies_to or "*" in self.applies_to


def frameworks(*refs: str) -> tuple[FrameworkRef, ...]:
    """``"CIS AWS 1.5:2.1.1"`` → ``FrameworkRef("CIS AWS 1.5", "2.1.1")``."""
    out = []
    for r in refs:
        fw, _, control = r.rpartition(":")
        out.append(FrameworkRef(fw, control))
    return tuple(out)


def check(
    id: str,
    title: str,
    severity: str,
    types: str | Iterable[str],
    predicate: Predicate,
    *,
    description: str = "",
    remediation: str = "",
    refs: Iterable[str] = (),
    fw: Iterable[str] = (),
    cwe: Iterable[int] = (),
    platform: str = "",
    tags: Iterable[str] = (),
    ckv: Iterable[str] = (),
) -> Check:
    type_set = frozenset([types] if isinstance(types, str) else types)
    return Check(
        id=id,
        title=title,
        severity=Severity.parse(severity),
        applies_to=type_set,
        predicate=predicate,
        description=description or title + ".",
        remediation=remediation,
        references=tuple(refs),
        frameworks=frameworks(*fw),
        cwe=tuple(cwe),
        platform=platform,
        tags=tuple(tags),
        checkov=tuple(ckv),
    )


def normalise(outcome: Outcome) -> tuple[list[Fail], bool]:
    """(failures, undecided)."""
    if outcome is None or outcome is PASS:
        return [], False
    if outcome is UNDECIDED:
        return [], True
    if isinstance(outcome, Fail):
        return [outcome], False
    if isinstance(outcome, list):
        return list(outcome), False
    raise TypeError(f"check returned {type(outcome).__name__}, expected an Outcome")


def all_of(*preds: Predicate) -> Predicate:
    """Fails when any fails; undecided when none fails but one is undecided."""

    def run(r: Resource, g: Graph) -> Outcome:
        undecided = False
        fails: list[Fail] = []
        for p in preds:
            f, u = normalise(p(r, g))
            fails.extend(f)
            undecided = undecided or u
        if fails:
            return fails
        return UNDECIDED if undecided else PASS

    return run


def first_failure(*preds: Predicate) -> Predicate:
    """Like :func:`all_of`, but reports only the first failure (one finding for alternative spellings of one
    setting)."""
    combined = all_of(*preds)

    def run(r: Resource, g: Graph) -> Outcome:
        out = combined(r, g)
        return out[:1] if isinstance(out, list) else out

    return run


def any_of(*preds: Predicate) -> Predicate:
    """Passes when any passes; fails (with the first failure) when all fail."""

    def run(r: Resource, g: Graph) -> Outcome:
        undecided = False
        first: list[Fail] = []
        for p in preds:
            f, u = normalise(p(r, g))
            if not f and not u:
                return PASS
            undecided = undecided or u
            if f and not first:
                first = f
        return UNDECIDED if undecided else first

    return run


def when(cond: Callable[[Resource], Any], pred: Predicate) -> Predicate:
    """Apply ``pred`` only where ``cond(resource)`` is true (true/false/None; None = undecided)."""

    def run(r: Resource, g: Graph) -> Outcome:
        c = cond(r)
        if c is None:
            return UNDECIDED
        return pred(r, g) if c else PASS

    return run
