"""Reimport and lifecycle decisions as pure functions: no database, no clock (``today`` is passed in).

Statuses: ``open`` → ``fixed`` (absent from a later *full* scan of every scope it was seen in) → ``reopened``
(seen again); ``false_positive``, ``accepted_risk`` (reason, approver, expiry) and ``duplicate`` are set by
triage and survive reimports.

A *scope* is (branch, analyzer set). A finding remembers the branches whose latest full scan contains it. A full
scan of branch B by analyzers A removes B from every finding of an analyzer in A that it does not contain; a
finding with no branch left is fixed. Nothing outside (B, A) is touched, partial scans close nothing, and an
identical upload plans no change at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    OPEN = "open"
    FIXED = "fixed"
    REOPENED = "reopened"
    FALSE_POSITIVE = "false_positive"
    ACCEPTED_RISK = "accepted_risk"
    DUPLICATE = "duplicate"


ACTIVE = frozenset({Status.OPEN, Status.REOPENED})
TRIAGED = frozenset({Status.FALSE_POSITIVE, Status.ACCEPTED_RISK, Status.DUPLICATE})

#: fields of a finding that a reimport may change; each change is recorded
TRACKED_FIELDS: tuple[str, ...] = (
    "severity",
    "title",
    "message",
    "path",
    "line",
    "resource",
    "purl",
    "package_version",
    "fix_available",
    "fix_versions",
    "cvss",
    "cve",
)


@dataclass(frozen=True, slots=True)
class Scope:
    branch: str
    analyzers: frozenset[str]
    partial: bool = False
    skipped: frozenset[tuple[str, str]] = frozenset()  # (analyzer, path) the scan could not analyze


@dataclass(frozen=True, slots=True)
class Observed:
    """A finding as uploaded, reduced to the stored fields (``fields`` has every TRACKED_FIELDS key)."""

    fingerprint: str
    analyzer: str
    fields: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Known:
    """A stored finding, as much as the lifecycle needs."""

    id: int
    fingerprint: str
    analyzer: str
    status: Status
    branches: frozenset[str]
    fields: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Transition:
    finding_id: int
    old: Status
    new: Status
    reason: str


@dataclass(frozen=True, slots=True)
class FieldChange:
    finding_id: int
    field: str
    old: Any
    new: Any


@dataclass(slots=True)
class Plan:
    """What one upload does. Apply it in one transaction."""

    create: list[Observed] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    add_branch: list[int] = field(default_factory=list)
    remove_branch: list[int] = field(default_factory=list)
    seen: list[tuple[int, Observed]] = field(default_factory=list)

    @property
    def changed_ids(self) -> set[int]:
        return {c.finding_id for c in self.changes}

    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.create),
            "fixed": sum(1 for t in self.transitions if t.new == Status.FIXED),
            "reopened": sum(1 for t in self.transitions if t.new == Status.REOPENED),
            "updated": len(self.changed_ids),
            "unchanged": sum(
                1 for fid, _ in self.seen if fid not in self.changed_ids and fid not in self._transitioned()
            ),
        }

    def _transitioned(self) -> set[int]:
        return {t.finding_id for t in self.transitions}

    @property
    def is_noop(self) -> bool:
        return not (self.create or self.transitions or self.changes or self.add_branch or self.remove_branch)


def plan_reimport(known: Mapping[str, Known], observed: Sequence[Observed], scope: Scope) -> Plan:
    """Decide what an upload changes. ``known`` maps fingerprint → stored finding (at least every finding of
    the project whose fingerprint is observed or whose analyzer is in the scope)."""
    plan = Plan()
    seen_fps: set[str] = set()
    for obs in observed:
        if obs.fingerprint in seen_fps:
            continue  # the importers make fingerprints unique; a repeat is the same problem
        seen_fps.add(obs.fingerprint)
        k = known.get(obs.fingerprint)
        if k is None:
            plan.create.append(obs)
            continue
        plan.seen.append((k.id, obs))
        for name in TRACKED_FIELDS:
            old, new = k.fields.get(name), obs.fields.get(name)
            if _differs(old, new):
                plan.changes.append(FieldChange(k.id, name, old, new))
        if scope.branch not in k.branches:
            plan.add_branch.append(k.id)
        if k.status == Status.FIXED:
            plan.transitions.append(Transition(k.id, k.status, Status.REOPENED, f"seen again on {scope.branch}"))
    if scope.partial:
        return plan
    for fp, k in known.items():
        if fp in seen_fps or k.analyzer not in scope.analyzers or scope.branch not in k.branches:
            continue
        if (k.analyzer, k.fields.get("path")) in scope.skipped:
            continue  # the file could not be analyzed this time: absence proves nothing
        plan.remove_branch.append(k.id)
        if k.branches == {scope.branch} and k.status in ACTIVE:
            plan.transitions.append(
                Transition(k.id, k.status, Status.FIXED, f"absent from a full {k.analyzer} scan of {scope.branch}")
            )
    return plan


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, (list, tuple)) and isinstance(new, (list, tuple)):
        return list(old) != list(new)
    if isinstance(old, float) or isinstance(new, float):
        if old is None or new is None:
            return old is not new
        return abs(float(old) - float(new)) > 1e-9
    return bool(old != new)


# --------------------------------------------------------------------------------------------- triage


class TriageError(ValueError):
    """A triage request that does not fit (missing reason, expiry in the past, …); message names the field."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class TriageRequest:
    status: Status
    reason: str = ""
    approver: str = ""
    expires: dt.date | None = None
    duplicate_of: int | None = None


def check_triage(current: Status, req: TriageRequest, *, today: dt.date, finding_id: int) -> Transition:
    """Validate a triage action and return the transition it makes (old == new is allowed: re-triage)."""
    if req.status == Status.FIXED or req.status == Status.OPEN:
        raise TriageError("triage can set false_positive, accepted_risk, duplicate or reopened", "status")
    reason = req.reason.strip()
    if req.status in TRIAGED and not reason:
        raise TriageError(f"a reason is required for {req.status.value}", "reason")
    if req.status == Status.ACCEPTED_RISK:
        if not req.approver.strip():
            raise TriageError("accepted_risk needs an approver", "approver")
        if req.expires is None:
            raise TriageError("accepted_risk needs an expiry date", "expires")
        if req.expires <= today:
            raise TriageError("the expiry date must be in the future", "expires")
    if req.status == Status.DUPLICATE:
        if req.duplicate_of is None:
            raise TriageError("duplicate needs duplicate_of (the original finding's id)", "duplicate_of")
        if req.duplicate_of == finding_id:
            raise TriageError("a finding cannot duplicate itself", "duplicate_of")
    if req.status == Status.REOPENED and current not in TRIAGED:
        raise TriageError(f"only a triaged finding can be reopened by hand (it is {current.value})", "status")
    return Transition(finding_id, current, req.status, reason)


@dataclass(frozen=True, slots=True)
class RiskState:
    id: int
    status: Status
    risk_expires: dt.date | None
    present: bool


def expired_risks(findings: Iterable[RiskState], today: dt.date) -> list[Transition]:
    """Accepted risks past their expiry date (valid through that day) reopen; if the finding is no longer
    present in any scope it is fixed instead."""
    out = []
    for f in findings:
        if f.status == Status.ACCEPTED_RISK and f.risk_expires is not None and f.risk_expires < today:
            new = Status.REOPENED if f.present else Status.FIXED
            out.append(Transition(f.id, f.status, new, f"accepted risk expired on {f.risk_expires.isoformat()}"))
    return out


# --------------------------------------------------------------------------------------------- SLA


def due_at(first_seen: dt.datetime, severity_label: str, sla_days: Mapping[str, int]) -> dt.datetime:
    return first_seen + dt.timedelta(days=int(sla_days[severity_label]))


@dataclass(frozen=True, slots=True)
class SlaView:
    due_at: dt.datetime
    breached: bool
    days_left: int | None  # open findings only
    time_to_fix_days: float | None  # fixed findings only


def sla_view(
    *, status: Status, first_seen: dt.datetime, due: dt.datetime, fixed_at: dt.datetime | None, now: dt.datetime
) -> SlaView:
    if status == Status.FIXED and fixed_at is not None:
        ttf = (fixed_at - first_seen).total_seconds() / 86400
        return SlaView(due, fixed_at > due, None, round(ttf, 2))
    if status in ACTIVE:
        return SlaView(due, now > due, (due - now).days, None)
    return SlaView(due, False, None, None)
