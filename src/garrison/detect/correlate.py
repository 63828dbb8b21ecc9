"""Sigma correlation rules over the matches of their referenced rules.

Semantics (docs/hunt.md has the long form):

* Events are grouped by the ``group-by`` values (through ``aliases`` when the referenced rules name the field
  differently); a missing value is its own group (``None``). Different groups never mix.
* Within a group, events are ordered by (timestamp, arrival). A window is a run of events whose timestamps are
  at most ``timespan`` apart: ``last - first <= timespan`` (inclusive at the edge; one second more is out).
* The condition is evaluated at every event, over the window ending there. When it holds, one alert is
  emitted for that window and the group restarts after it (alerts never share events).
* ``temporal``: every referenced rule (or the extended boolean condition over them) within the window.
  ``temporal_ordered``: the referenced rules in the listed order, each strictly after the previous one.
* Chaining: a correlation that references a correlation consumes its alerts as events (timestamp = the
  alert's last event, fields = its group-by values).
* Events without a timestamp cannot be placed in a window; they are counted and reported, never guessed.
"""

from __future__ import annotations

import math
from bisect import insort
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from garrison.core.alert import Alert, MatchedEvent, new_alert
from garrison.detect.event import format_timestamp

#: events kept in a correlation alert (the count and value always cover the whole window)
MAX_ALERT_EVENTS = 100


@dataclass(slots=True)
class CorrEvent:
    rule: int  # index of the rule (or correlation) that produced it
    ts: float | None
    seq: int
    values: dict[str, Any]  # the fields correlations may need (group-by, aliases, condition fields)
    events: tuple[MatchedEvent, ...]
    host: str | None = None


@dataclass
class CorrelationOutcome:
    alerts: list[Alert] = field(default_factory=list)
    no_timestamp: int = 0


def needed_fields(correlations: dict[int, dict[str, Any]]) -> dict[int, set[str]]:
    """For each referenced rule index, the event fields its correlations read."""
    need: dict[int, set[str]] = {}
    for corr in correlations.values():
        cond = corr["condition"]
        cfields = cond.get("field")
        cf = [cfields] if isinstance(cfields, str) else list(cfields or [])
        for r in corr["rules"]:
            s = need.setdefault(r, set())
            for g in corr["group_by"]:
                s.add(corr["aliases"].get(g, {}).get(str(r), g))
            s.update(cf)
    return need


def run(
    correlations: dict[int, dict[str, Any]],
    meta: Sequence[dict[str, Any]],
    events: list[CorrEvent],
) -> CorrelationOutcome:
    """Evaluate every correlation (referenced rules first, so chains work) over the collected matches."""
    out = CorrelationOutcome()
    by_rule: dict[int, list[CorrEvent]] = {}
    for e in events:
        by_rule.setdefault(e.rule, []).append(e)
    seq = len(events)
    for index in sorted(correlations, key=lambda i: _depth(i, correlations)):
        corr = correlations[index]
        mine = [e for r in corr["rules"] for e in by_rule.get(r, [])]
        timed = [e for e in mine if e.ts is not None]
        out.no_timestamp += len(mine) - len(timed)
        fired = evaluate(corr, timed)
        for window, value, group in fired:
            evs = tuple(ev for ce in window for ev in ce.events)[:MAX_ALERT_EVENTS]
            last = window[-1]
            alert = new_alert(
                kind="correlation",
                meta=meta[index],
                events=evs,
                timestamp=format_timestamp(last.ts),
                host=window[0].host,
                group=dict(zip(corr["group_by"], group, strict=False)),
                value=value,
                id_extra="|".join(str(g) for g in group) + f"|{window[0].ts}|{last.ts}",
            )
            if meta[index].get("output", True):
                out.alerts.append(alert)
            seq += 1
            chained = CorrEvent(
                rule=index,
                ts=last.ts,
                seq=seq,
                values=dict(zip(corr["group_by"], group, strict=False)),
                events=evs,
                host=window[0].host,
            )
            by_rule.setdefault(index, []).append(chained)
    return out


def _depth(index: int, correlations: dict[int, dict[str, Any]], seen: frozenset[int] = frozenset()) -> int:
    if index in seen:
        return 0
    refs = [r for r in correlations[index]["rules"] if r in correlations]
    return 1 + max((_depth(r, correlations, seen | {index}) for r in refs), default=0)


def group_key(corr: dict[str, Any], e: CorrEvent) -> tuple[Any, ...]:
    key = []
    for g in corr["group_by"]:
        name = corr["aliases"].get(g, {}).get(str(e.rule), g)
        v = e.values.get(name)
        key.append(_norm(v))
    return tuple(key)


def _norm(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_norm(x) for x in v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def evaluate(corr: dict[str, Any], events: list[CorrEvent]) -> list[tuple[list[CorrEvent], float, tuple[Any, ...]]]:
    """(window events, aggregate value, group) for every window where the condition holds."""
    groups: dict[tuple[Any, ...], list[CorrEvent]] = {}
    for e in events:
        groups.setdefault(group_key(corr, e), []).append(e)
    fired: list[tuple[list[CorrEvent], float, tuple[Any, ...]]] = []
    for key in sorted(groups, key=repr):
        evs = sorted(groups[key], key=lambda e: (e.ts, e.seq))
        for window, value in _windows(corr, evs):
            fired.append((window, value, key))
    fired.sort(key=lambda f: (f[0][-1].ts, f[0][-1].seq))
    return fired


def _windows(corr: dict[str, Any], evs: list[CorrEvent]) -> list[tuple[list[CorrEvent], float]]:
    kind = corr["type"]
    span = float(corr["timespan"])
    cond = corr["condition"]
    out: list[tuple[list[CorrEvent], float]] = []
    start = 0  # first event a new window may use (after an alert, the group restarts)
    left = 0
    for right in range(len(evs)):
        left = max(left, start)
        t_right = evs[right].ts
        assert t_right is not None
        while left < right and t_right - (evs[left].ts or 0.0) > span:
            left += 1
        window = evs[left : right + 1]
        got = _check(kind, cond, corr, window)
        if got is not None:
            sel_window, value = got
            out.append((sel_window, value))
            start = right + 1
    return out


def _check(
    kind: str, cond: dict[str, Any], corr: dict[str, Any], window: list[CorrEvent]
) -> tuple[list[CorrEvent], float] | None:
    if kind == "event_count":
        n = float(len(window))
        return (window, n) if _compare(cond, n) else None
    if kind == "value_count":
        fields = cond["field"] if isinstance(cond["field"], list) else [cond["field"]]
        distinct = {tuple(_norm(_value_of(corr, e, f)) for f in fields) for e in window}
        distinct = {d for d in distinct if any(x is not None for x in d)}
        n = float(len(distinct))
        return (window, n) if _compare(cond, n) else None
    if kind in ("value_sum", "value_avg", "value_median", "value_percentile"):
        nums = [x for x in (_number(_value_of(corr, e, cond["field"])) for e in window) if x is not None]
        if not nums:
            return None
        if kind == "value_sum":
            v = math.fsum(nums)
        elif kind == "value_avg":
            v = math.fsum(nums) / len(nums)
        elif kind == "value_median":
            v = percentile(nums, 50)
        else:
            v = percentile(nums, float(cond.get("percentile") or 50))
        return (window, v) if _compare(cond, v) else None
    if kind == "temporal":
        seen = {e.rule for e in window}
        if _temporal_holds(corr, seen):
            return window, float(len(seen))
        return None
    if kind == "temporal_ordered":
        seq = _ordered(corr["rules"], window)
        return (seq, float(len(seq))) if seq is not None else None
    return None


def _value_of(corr: dict[str, Any], e: CorrEvent, name: str) -> Any:
    alias = corr["aliases"].get(name, {}).get(str(e.rule))
    return e.values.get(alias or name)


def _temporal_holds(corr: dict[str, Any], seen: set[int]) -> bool:
    expr = corr["condition"].get("expr")
    if expr is None:
        ok = all(r in seen for r in corr["rules"])
        if ok and "op" in corr["condition"]:  # an explicit count condition on the number of distinct rules
            return _compare(corr["condition"], float(len(set(corr["rules"]) & seen)))
        return ok
    return _eval_expr(expr, seen)


def _eval_expr(node: list[Any], seen: set[int]) -> bool:
    op = node[0]
    if op == "ref":
        return int(node[1]) in seen
    if op == "not":
        return not _eval_expr(node[1], seen)
    if op == "and":
        return all(_eval_expr(n, seen) for n in node[1])
    return any(_eval_expr(n, seen) for n in node[1])


def _ordered(order: list[int], window: list[CorrEvent]) -> list[CorrEvent] | None:
    """The referenced rules in order inside the window, ending with its last event; latest occurrences win."""
    if not window or window[-1].rule != order[-1]:
        return None
    picked = [window[-1]]
    pos = len(window) - 1
    for want in reversed(order[:-1]):
        pos -= 1
        while pos >= 0 and not (window[pos].rule == want and _before(window[pos], picked[-1])):
            pos -= 1
        if pos < 0:
            return None
        picked.append(window[pos])
    picked.reverse()
    return picked


def _before(a: CorrEvent, b: CorrEvent) -> bool:
    return (a.ts or 0.0, a.seq) < (b.ts or 0.0, b.seq)


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float):
        return float(v)
    try:
        return float(str(v))
    except ValueError:
        return None


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    xs: list[float] = []
    for v in values:
        insort(xs, v)
    if len(xs) == 1:
        return xs[0]
    k = (len(xs) - 1) * (p / 100.0)
    lo = math.floor(k)
    hi = math.ceil(k)
    if lo == hi:
        return xs[int(k)]
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def _compare(cond: dict[str, Any], value: float) -> bool:
    op = cond.get("op", "gte")
    n = float(cond.get("count", 1))
    if op == "gte":
        return value >= n
    if op == "gt":
        return value > n
    if op == "lte":
        return value <= n
    if op == "lt":
        return value < n
    if op == "eq":
        return value == n
    return value != n


def counter_of(events: list[CorrEvent]) -> Counter[int]:
    return Counter(e.rule for e in events)
