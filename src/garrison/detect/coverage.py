"""Coverage: for every rule, did it run (and over how many events), was there no matching log source in the
data, or is it unsupported (and why)? Nothing is skipped silently."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from garrison.detect.ruleset import RuleSet

State = Literal["ran", "no-logsource", "unsupported"]


@dataclass(frozen=True, slots=True)
class RuleCoverage:
    rule_id: str
    title: str
    path: str
    state: State
    events: int = 0
    reason: str = ""
    logsource: str = ""


@dataclass
class CoverageReport:
    rules: list[RuleCoverage] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # files that are not rules at all

    def counts(self) -> Counter[str]:
        c: Counter[str] = Counter(r.state for r in self.rules)
        if self.problems:
            c["unsupported"] += len(self.problems)
        return c

    def summary(self) -> str:
        c = self.counts()
        return (
            f"{c['ran']} rule(s) ran, {c['no-logsource']} had no matching log source in the data, "
            f"{c['unsupported']} unsupported"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": dict(self.counts()),
            "rules": [
                {
                    "id": r.rule_id,
                    "title": r.title,
                    "path": r.path,
                    "state": r.state,
                    "events": r.events,
                    "reason": r.reason,
                    "logsource": r.logsource,
                }
                for r in self.rules
            ],
            "invalid_files": [{"path": p, "reason": why} for p, why in self.problems],
        }


def _logsource(m: dict[str, Any]) -> str:
    return ",".join(f"{k}={m[k]}" for k in ("product", "category", "service") if m.get(k)) or "any"


def build_coverage(rs: RuleSet, ran: dict[int, int], variant_unsupported: dict[int, str]) -> CoverageReport:
    rep = CoverageReport()
    for i, m in enumerate(rs.meta):
        base = dict(rule_id=m["id"], title=m["title"], path=m["path"], logsource=_logsource(m))
        if i in rs.unsupported and not ran.get(i):
            rep.rules.append(RuleCoverage(state="unsupported", reason=rs.unsupported[i], **base))
        elif m["kind"] == "correlation":
            n = _correlation_events(rs, i, ran, frozenset())
            state: State = "ran" if n else "no-logsource"
            rep.rules.append(RuleCoverage(state=state, events=n, **base))
        elif ran.get(i):
            rep.rules.append(RuleCoverage(state="ran", events=ran[i], **base))
        elif i in variant_unsupported:
            rep.rules.append(RuleCoverage(state="unsupported", reason=variant_unsupported[i], **base))
        else:
            rep.rules.append(RuleCoverage(state="no-logsource", **base))
    rep.problems = [(p.path, p.reason) for p in rs.problems]
    return rep


def _correlation_events(rs: RuleSet, index: int, ran: dict[int, int], seen: frozenset[int]) -> int:
    """Events the base rules under a (possibly chained) correlation met."""
    if index in seen:
        return 0
    total = 0
    for r in rs.correlations.get(index, {}).get("rules", []):
        total += _correlation_events(rs, r, ran, seen | {index}) if r in rs.correlations else ran.get(r, 0)
    return total
