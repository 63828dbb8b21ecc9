"""The gate: a pure function from (findings, policy) to a decision with the reason for each failure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from garrison.core.finding import Finding
from garrison.core.frozen import FrozenDict
from garrison.core.severity import Severity
from garrison.policy.cel import Condition


@dataclass(frozen=True, slots=True)
class GatePolicy:
    fail_on: Severity | None = Severity.HIGH
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    passed: bool
    fail_on: Severity | None
    conditions: tuple[str, ...]
    #: fingerprint -> why it fails the gate
    failing: FrozenDict[tuple[str, ...]] = field(default_factory=FrozenDict)

    def fails(self, finding: Finding) -> bool:
        return finding.fingerprint in self.failing


def evaluate(findings: Iterable[Finding], policy: GatePolicy) -> Decision:
    """Each unsuppressed finding fails the gate if it reaches ``fail_on`` or any condition holds for it."""
    failing: dict[str, tuple[str, ...]] = {}
    for f in findings:
        reasons: list[str] = []
        if policy.fail_on is not None and f.severity >= policy.fail_on:
            reasons.append(f"severity {f.severity.label} >= {policy.fail_on.label}")
        reasons.extend(f"condition: {c.expression}" for c in policy.conditions if c(f))
        if reasons:
            failing[f.fingerprint] = tuple(reasons)
    return Decision(
        passed=not failing,
        fail_on=policy.fail_on,
        conditions=tuple(c.expression for c in policy.conditions),
        failing=FrozenDict(failing),
    )


def policy_from(fail_on: Severity | None, conditions: Sequence[Condition]) -> GatePolicy:
    return GatePolicy(fail_on=fail_on, conditions=tuple(conditions))
