"""The alert model: what a detection rule (or a correlation) says about one event (or a group of events).

Alerts are immutable values with a deterministic id: the same rule over the same log record gives the same id
on every run (the id hashes the rule id, the log file's name and the record's position — never wall time).
ATT&CK tactics and techniques come from the rule's ``attack.*`` tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from functools import lru_cache
from typing import Any, Literal

import orjson

from garrison.core.fingerprint import fingerprint_of
from garrison.core.frozen import FrozenDict, freeze
from garrison.core.severity import Severity

#: Sigma level -> Garrison severity
LEVEL_SEVERITY: dict[str, Severity] = {
    "informational": Severity.INFO,
    "low": Severity.LOW,
    "medium": Severity.MEDIUM,
    "high": Severity.HIGH,
    "critical": Severity.CRITICAL,
}

#: ATT&CK tactic tag name (as Sigma writes it) -> (tactic id, display name)
TACTICS: dict[str, tuple[str, str]] = {
    "reconnaissance": ("TA0043", "Reconnaissance"),
    "resource-development": ("TA0042", "Resource Development"),
    "resource_development": ("TA0042", "Resource Development"),
    "initial-access": ("TA0001", "Initial Access"),
    "initial_access": ("TA0001", "Initial Access"),
    "execution": ("TA0002", "Execution"),
    "persistence": ("TA0003", "Persistence"),
    "privilege-escalation": ("TA0004", "Privilege Escalation"),
    "privilege_escalation": ("TA0004", "Privilege Escalation"),
    "defense-evasion": ("TA0005", "Defense Evasion"),
    "defense_evasion": ("TA0005", "Defense Evasion"),
    "defense-impairment": ("TA0005", "Defense Evasion"),
    "stealth": ("TA0005", "Defense Evasion"),
    "credential-access": ("TA0006", "Credential Access"),
    "credential_access": ("TA0006", "Credential Access"),
    "discovery": ("TA0007", "Discovery"),
    "lateral-movement": ("TA0008", "Lateral Movement"),
    "lateral_movement": ("TA0008", "Lateral Movement"),
    "collection": ("TA0009", "Collection"),
    "command-and-control": ("TA0011", "Command and Control"),
    "command_and_control": ("TA0011", "Command and Control"),
    "exfiltration": ("TA0010", "Exfiltration"),
    "impact": ("TA0040", "Impact"),
}

_TECHNIQUE = re.compile(r"^t\d{4}(\.\d{3})?$")


def attack_from_tags(tags: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``attack.execution`` -> tactic ``TA0002``; ``attack.t1059.001`` -> technique ``T1059.001``."""
    tactics: list[str] = []
    techniques: list[str] = []
    for tag in tags:
        ns, _, name = tag.lower().partition(".")
        if ns != "attack" or not name:
            continue
        if _TECHNIQUE.match(name):
            t = name.upper()
            if t not in techniques:
                techniques.append(t)
        elif name in TACTICS:
            tid = TACTICS[name][0]
            if tid not in tactics:
                tactics.append(tid)
    return tuple(tactics), tuple(techniques)


@lru_cache(maxsize=8192)
def _attack_cached(tags: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return attack_from_tags(tags)


@dataclass(frozen=True, slots=True)
class MatchedEvent:
    """One log record an alert is about: where it is, when it happened, its fields (as parsed)."""

    origin: str  # the log file ("-" for stdin)
    position: str  # record number (EVTX), line number (text formats)
    timestamp: str | None = None
    fields: FrozenDict[Any] = field(default_factory=FrozenDict)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # hunt workers send their alerts to the parent: the event's fields travel as one JSON text (several
        # times cheaper to encode and decode than pickling the dict), unless JSON cannot carry a value exactly
        if _json_exact(self.fields):
            return (_matched_event_from_json, (self.origin, self.position, self.timestamp, orjson.dumps(self.fields)))
        return (MatchedEvent, (self.origin, self.position, self.timestamp, self.fields))


def _json_exact(fields: Mapping[str, Any]) -> bool:
    """Whether the values survive a JSON round trip unchanged (str, bool, None, 64-bit ints, finite floats,
    lists of those)."""
    return all(_json_exact_value(v, True) for v in fields.values())


def _json_exact_value(v: Any, nested: bool) -> bool:
    t = type(v)
    if t is str or t is bool or v is None:
        return True
    if t is int:
        return bool(-(1 << 63) <= v < (1 << 64))
    if t is float:
        return bool(v == v and v not in (_INF, -_INF))
    if t is list and nested:
        return all(_json_exact_value(x, False) for x in v)
    return False


_INF = float("inf")
_NO_GROUP: FrozenDict[Any] = FrozenDict()


def _matched_event_from_json(origin: str, position: str, timestamp: str | None, fields: bytes) -> MatchedEvent:
    return MatchedEvent(origin, position, timestamp, FrozenDict(orjson.loads(fields)))


@dataclass(frozen=True, slots=True)
class MatchedSelection:
    """A named detection of the rule that was true for the event, and the fields it tested."""

    name: str
    fields: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (MatchedSelection, (self.name, self.fields))


AlertKind = Literal["detection", "correlation"]


@dataclass(frozen=True, slots=True)
class Alert:
    id: str
    kind: AlertKind
    rule_id: str
    rule_title: str
    level: str  # the Sigma level: informational, low, medium, high, critical
    status: str
    tactics: tuple[str, ...]
    techniques: tuple[str, ...]
    tags: tuple[str, ...]
    timestamp: str | None
    host: str | None
    source: str  # the log file of the (first) event
    events: tuple[MatchedEvent, ...]
    matched: tuple[MatchedSelection, ...] = ()
    #: correlations: the group-by values and the aggregate that fired (count, distinct values, sum, ...)
    group: FrozenDict[Any] = field(default_factory=FrozenDict)
    value: float | None = None
    rule_path: str = ""
    description: str = ""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (Alert, tuple(getattr(self, name) for name in _ALERT_FIELDS))

    @property
    def severity(self) -> Severity:
        return LEVEL_SEVERITY.get(self.level, Severity.MEDIUM)

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.timestamp or "",
            self.source,
            _pos_key(self.events[0].position if self.events else ""),
            self.rule_id,
            self.id,
        )


_ALERT_FIELDS = tuple(f.name for f in dataclass_fields(Alert))


def _pos_key(pos: str) -> tuple[int, str]:
    return (int(pos), "") if pos.isdigit() else (1 << 62, pos)


def alert_id(rule_id: str, events: Sequence[MatchedEvent], extra: str = "") -> str:
    parts = [rule_id, extra]
    for e in events:
        parts.append(e.origin.rsplit("/", 1)[-1])
        parts.append(e.position)
    return fingerprint_of("alert", *parts)


def new_alert(
    *,
    kind: AlertKind,
    meta: Mapping[str, Any],
    events: Sequence[MatchedEvent],
    timestamp: str | None,
    host: str | None,
    matched: Sequence[MatchedSelection] = (),
    group: Mapping[str, Any] | None = None,
    value: float | None = None,
    id_extra: str = "",
) -> Alert:
    tags = tuple(meta.get("tags") or ())
    tactics, techniques = _attack_cached(tags)
    rule_id = str(meta.get("id") or "")
    return Alert(
        id=alert_id(rule_id, events, id_extra),
        kind=kind,
        rule_id=rule_id,
        rule_title=str(meta.get("title") or ""),
        level=str(meta.get("level") or "medium"),
        status=str(meta.get("status") or ""),
        tactics=tactics,
        techniques=techniques,
        tags=tags,
        timestamp=timestamp,
        host=host,
        source=events[0].origin if events else "",
        events=tuple(events),
        matched=tuple(matched),
        group=freeze(dict(group)) if group else _NO_GROUP,
        value=value,
        rule_path=str(meta.get("path") or ""),
        description=str(meta.get("description") or ""),
    )


def alert_to_dict(a: Alert, *, with_events: bool = True) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": a.id,
        "kind": a.kind,
        "rule": {"id": a.rule_id, "title": a.rule_title, "level": a.level, "status": a.status, "path": a.rule_path},
        "timestamp": a.timestamp,
        "host": a.host,
        "source": a.source,
        "attack": {"tactics": list(a.tactics), "techniques": list(a.techniques)},
        "tags": list(a.tags),
        "matched": [{"selection": m.name, "fields": list(m.fields)} for m in a.matched],
    }
    if a.kind == "correlation":
        doc["group"] = dict(a.group)
        doc["value"] = a.value
    if with_events:
        doc["events"] = [
            {"origin": e.origin, "position": e.position, "timestamp": e.timestamp, "fields": dict(e.fields)}
            for e in a.events
        ]
    return doc
