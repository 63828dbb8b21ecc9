"""Waivers (``.garrison/waivers.yaml``): time-boxed, owned, reasoned exceptions.

A waiver matches by fingerprint, or by rule id (+ optional path glob), or by package purl + vulnerability
id (or alias). An expired waiver suppresses nothing and is itself reported as a finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml
from pathspec import GitIgnoreSpec

from garrison.core.errors import ConfigError
from garrison.core.finding import (
    Finding,
    FindingKind,
    Location,
    Region,
    Rule,
    SuppressedFinding,
    Suppression,
    new_finding,
)
from garrison.core.severity import Severity
from garrison.policy.yamlsafe import load_yaml

ALLOWED_KEYS = frozenset({"id", "fingerprint", "rule", "path", "purl", "vuln", "reason", "owner", "expires"})

EXPIRED_RULE = Rule(
    id="policy.waiver-expired",
    title="Waiver has expired",
    severity=Severity.MEDIUM,
    description="A waiver's expiry date has passed; the findings it covered count again.",
    remediation="Fix the findings, or renew the waiver with a new expiry date and a current reason.",
)


@dataclass(frozen=True, slots=True)
class Waiver:
    id: str
    reason: str
    owner: str
    expires: dt.date
    fingerprint: str | None = None
    rule: str | None = None
    path: str | None = None
    purl: str | None = None
    vuln: str | None = None
    source: str = ""  # file:line
    line: int = 0

    def matches(self, f: Finding) -> bool:
        if self.fingerprint is not None:
            return f.fingerprint == self.fingerprint or f.fingerprint.startswith(self.fingerprint)
        if self.rule is not None:
            if not fnmatchcase(f.rule.id, self.rule):
                return False
            if self.path is None:
                return True
            return f.location.path is not None and _path_matches(self.path, f.location.path)
        if self.purl is not None and self.vuln is not None:
            if f.location.purl is None or not _purl_matches(self.purl, f.location.purl):
                return False
            ids = {f.rule.id.upper(), *(a.upper() for a in f.aliases)}
            return self.vuln.upper() in ids
        return False

    def expired(self, today: dt.date) -> bool:
        return self.expires < today


def _path_matches(pattern: str, path: str) -> bool:
    return GitIgnoreSpec.from_lines([pattern]).match_file(path)


def _purl_base(purl: str) -> tuple[str, str | None]:
    core = purl.split("?", 1)[0].split("#", 1)[0]
    # the version separator is the last '@' after the name (namespaces like npm scopes use %40)
    name, _, version = core.rpartition("@") if "@" in core.rsplit("/", 1)[-1] else (core, "", "")
    return name.lower(), (version or None)


def _purl_matches(pattern: str, purl: str) -> bool:
    p_name, p_ver = _purl_base(pattern)
    f_name, f_ver = _purl_base(purl)
    return p_name == f_name and (p_ver is None or p_ver == f_ver)


def _line_numbers(node: yaml.Node | None) -> list[int]:
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "waivers" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def load_waivers(path: Path, *, display: str | None = None) -> list[Waiver]:
    """Parse and validate a waivers file. Errors name the file and ``waivers[i].field``."""
    shown = display or str(path)
    data, node = load_yaml(path)
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) - {"waivers"}:
        extra = sorted(set(data) - {"waivers"}) if isinstance(data, dict) else []
        raise ConfigError(
            f"unknown key {extra[0]!r}" if extra else "expected a mapping with a 'waivers' list", path=shown
        )
    items = data.get("waivers")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ConfigError("expected a list", path=shown, field="waivers")
    lines = _line_numbers(node)
    out: list[Waiver] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        line = lines[i] if i < len(lines) else 0
        w = _parse_one(item, i, shown, line)
        if w.id in seen:
            raise ConfigError(f"duplicate waiver id {w.id!r}", path=shown, field=f"waivers[{i}].id")
        seen.add(w.id)
        out.append(w)
    return out


def _parse_one(item: Any, i: int, shown: str, line: int) -> Waiver:
    where = f"waivers[{i}]"
    if not isinstance(item, dict):
        raise ConfigError("expected a mapping", path=shown, field=where)
    for key in item:
        if key not in ALLOWED_KEYS:
            raise ConfigError("unknown key", path=shown, field=f"{where}.{key}")

    def text(key: str, required: bool = False) -> str | None:
        value = item.get(key)
        if value is None:
            if required:
                raise ConfigError("is required", path=shown, field=f"{where}.{key}")
            return None
        if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
            raise ConfigError("expected a non-empty string", path=shown, field=f"{where}.{key}")
        return str(value).strip()

    reason = text("reason", True)
    owner = text("owner", True)
    expires_raw = item.get("expires")
    if expires_raw is None:
        raise ConfigError("is required (a date, YYYY-MM-DD)", path=shown, field=f"{where}.expires")
    if isinstance(expires_raw, dt.datetime):
        expires = expires_raw.date()
    elif isinstance(expires_raw, dt.date):
        expires = expires_raw
    else:
        try:
            expires = dt.date.fromisoformat(str(expires_raw).strip())
        except ValueError:
            raise ConfigError(
                f"invalid date {expires_raw!r} (expected YYYY-MM-DD)", path=shown, field=f"{where}.expires"
            ) from None
    fingerprint, rule, path, purl, vuln = (text(k) for k in ("fingerprint", "rule", "path", "purl", "vuln"))
    forms = [fingerprint is not None, rule is not None, purl is not None or vuln is not None]
    if sum(forms) != 1:
        raise ConfigError("needs exactly one of: fingerprint, rule (+ path), or purl + vuln", path=shown, field=where)
    if path is not None and rule is None:
        raise ConfigError("path is only valid together with rule", path=shown, field=f"{where}.path")
    if (purl is None) != (vuln is None):
        raise ConfigError(
            "purl and vuln go together", path=shown, field=f"{where}.{'vuln' if vuln is None else 'purl'}"
        )
    if purl is not None and not purl.startswith("pkg:"):
        raise ConfigError(f"not a package URL: {purl!r}", path=shown, field=f"{where}.purl")
    if fingerprint is not None and len(fingerprint) < 12:
        raise ConfigError("fingerprint must have at least 12 characters", path=shown, field=f"{where}.fingerprint")
    assert reason is not None and owner is not None
    return Waiver(
        id=text("id") or f"waiver-{i + 1}",
        reason=reason,
        owner=owner,
        expires=expires,
        fingerprint=fingerprint,
        rule=rule,
        path=path,
        purl=purl,
        vuln=vuln,
        source=f"{shown}:{line}" if line else shown,
        line=line,
    )


@dataclass(frozen=True, slots=True)
class WaiverOutcome:
    findings: tuple[Finding, ...]
    suppressed: tuple[SuppressedFinding, ...]
    expired: tuple[Waiver, ...]
    unused: tuple[Waiver, ...]


def apply_waivers(
    findings: Iterable[Finding],
    waivers: Sequence[Waiver],
    *,
    today: dt.date,
    waivers_path: str = ".garrison/waivers.yaml",
) -> WaiverOutcome:
    """Pure: split findings into kept and waived; expired waivers are reported as findings."""
    active = [w for w in waivers if not w.expired(today)]
    expired = [w for w in waivers if w.expired(today)]
    used: set[str] = set()
    kept: list[Finding] = []
    waived: list[SuppressedFinding] = []
    for f in findings:
        hit = next((w for w in active if w.matches(f)), None)
        if hit is None:
            kept.append(f)
            continue
        used.add(hit.id)
        waived.append(
            SuppressedFinding(
                f, Suppression(kind="waiver", reason=hit.reason, source=hit.id, owner=hit.owner, expires=hit.expires)
            )
        )
    for w in expired:
        kept.append(
            new_finding(
                analyzer="policy",
                kind=FindingKind.COMPLIANCE,
                rule=EXPIRED_RULE,
                location=Location(path=waivers_path, region=Region(w.line) if w.line else None),
                message=f"waiver {w.id!r} (owner {w.owner}) expired on {w.expires.isoformat()}: {w.reason}",
                anchor=w.id,
                evidence={"waiver": w.id, "owner": w.owner, "expires": w.expires.isoformat()},
            )
        )
    unused = tuple(w for w in active if w.id not in used)
    return WaiverOutcome(tuple(kept), tuple(waived), tuple(expired), unused)
