"""CEL conditions over findings (``[gate] conditions``), evaluated with the ``common-expression-language``
library. Severities compare by rank: ``finding.severity >= "high"`` means high or critical.

The finding as CEL sees it::

    finding.kind, finding.analyzer, finding.fingerprint, finding.message
    finding.severity ("info".."critical"), finding.score (CVSS, 0.0 when unknown), finding.has_score
    finding.rule.id, .title, .severity, .confidence, .cwe (list of int), .tags
    finding.location.path, .line (0 when none), .purl, .package_version, .resource, .url
    finding.path, finding.line, finding.purl           (shortcuts)
    finding.fix.available, finding.fix.versions
    finding.tags, finding.aliases, finding.evidence (map of strings)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from garrison.core.errors import ConfigError, InputError
from garrison.core.finding import Finding
from garrison.core.severity import Severity

_OPS = r"(==|!=|>=|<=|>|<)"
_SEV_FIELD = r"(finding(?:\.rule)?\.severity)"
_LIT = r"(?:\"([A-Za-z]+)\"|'([A-Za-z]+)')"
_FIELD_FIRST = re.compile(_SEV_FIELD + r"\s*" + _OPS + r"\s*" + _LIT)
_LIT_FIRST = re.compile(_LIT + r"\s*" + _OPS + r"\s*" + _SEV_FIELD)


def _rank(name: str, expression: str, where: str, source: str | None) -> int:
    try:
        return int(Severity.parse(name))
    except InputError:
        raise ConfigError(f"unknown severity {name!r} in condition {expression!r}", path=source, field=where) from None


def rewrite_severity(expression: str, *, where: str = "gate.conditions", source: str | None = None) -> str:
    """Turn severity-name comparisons into rank comparisons (CEL compares strings lexically)."""

    def field_first(m: re.Match[str]) -> str:
        return f"{m.group(1)}_rank {m.group(2)} {_rank(m.group(3) or m.group(4), expression, where, source)}"

    def lit_first(m: re.Match[str]) -> str:
        return f"{_rank(m.group(1) or m.group(2), expression, where, source)} {m.group(3)} {m.group(4)}_rank"

    return _LIT_FIRST.sub(lit_first, _FIELD_FIRST.sub(field_first, expression))


@dataclass(frozen=True, slots=True)
class Condition:
    expression: str
    where: str
    source: str | None
    _program: Any

    def __call__(self, finding: Finding) -> bool:
        import cel

        try:
            result = self._program.execute(cel.Context({"finding": finding_view(finding)}))
        except Exception as exc:  # noqa: BLE001 - the CEL library raises plain exceptions
            raise ConfigError(
                f"condition {self.expression!r} failed on finding {finding.fingerprint[:12]}: {exc}",
                path=self.source,
                field=self.where,
            ) from None
        if not isinstance(result, bool):
            raise ConfigError(
                f"condition {self.expression!r} must be true or false, got {type(result).__name__}",
                path=self.source,
                field=self.where,
            )
        return result


def compile_condition(expression: str, *, where: str = "gate.conditions", source: str | None = None) -> Condition:
    import cel  # lazy: keeps `garrison --version` fast

    rewritten = rewrite_severity(expression, where=where, source=source)
    try:
        program = cel.compile(rewritten)
    except Exception as exc:  # noqa: BLE001
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"invalid CEL expression {expression!r}: {first}", path=source, field=where) from None
    return Condition(expression, where, source, program)


def finding_view(f: Finding) -> dict[str, Any]:
    loc = f.location
    line = loc.line or 0
    return {
        "kind": f.kind.value,
        "analyzer": f.analyzer,
        "fingerprint": f.fingerprint,
        "message": f.message,
        "severity": f.severity.label,
        "severity_rank": int(f.severity),
        "score": float(f.score) if f.score is not None else 0.0,
        "has_score": f.score is not None,
        "rule": {
            "id": f.rule.id,
            "title": f.rule.title,
            "severity": f.rule.severity.label,
            "severity_rank": int(f.rule.severity),
            "confidence": f.rule.confidence.label,
            "cwe": list(f.rule.cwe),
            "tags": list(f.rule.tags),
        },
        "location": {
            "path": loc.path or "",
            "line": line,
            "purl": loc.purl or "",
            "package_version": loc.package_version or "",
            "resource": loc.resource or "",
            "url": loc.url or "",
        },
        "path": loc.path or "",
        "line": line,
        "purl": loc.purl or "",
        "fix": {"available": f.fix.available, "versions": list(f.fix.versions)},
        "tags": list(f.tags),
        "aliases": list(f.aliases),
        "evidence": {k: _text(v) for k, v in f.evidence.items()},
    }


def _text(value: object) -> str:
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return "" if value is None else str(value)
