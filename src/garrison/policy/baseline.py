"""Baselines: the fingerprints of today's accepted findings. A scan with ``--baseline`` fails only on new ones.

Fingerprints do not use line numbers, so a baseline survives code moving around in a file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from garrison.core.errors import ConfigError
from garrison.core.finding import Finding, SuppressedFinding, Suppression
from garrison.policy.yamlsafe import read_text

BASELINE_FORMAT = "garrison-baseline"
BASELINE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Baseline:
    fingerprints: frozenset[str]
    source: str


def render_baseline(findings: Iterable[Finding]) -> str:
    """Deterministic JSON: entries sorted by fingerprint, with rule and location for humans reviewing diffs."""
    entries = sorted(
        ({"fingerprint": f.fingerprint, "rule": f.rule.id, "location": f.location.display()} for f in findings),
        key=lambda e: e["fingerprint"],
    )
    doc = {"format": BASELINE_FORMAT, "version": BASELINE_VERSION, "findings": entries}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def load_baseline(path: Path) -> Baseline:
    text = read_text(path)
    shown = str(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", path=shown) from None
    if not isinstance(doc, dict) or doc.get("format") != BASELINE_FORMAT:
        raise ConfigError(f'not a Garrison baseline (expected "format": "{BASELINE_FORMAT}")', path=shown)
    if doc.get("version") != BASELINE_VERSION:
        raise ConfigError(f"unsupported baseline version {doc.get('version')!r}", path=shown, field="version")
    entries = doc.get("findings")
    if not isinstance(entries, list):
        raise ConfigError("expected a list", path=shown, field="findings")
    fps: set[str] = set()
    for i, e in enumerate(entries):
        fp = e.get("fingerprint") if isinstance(e, dict) else None
        if not isinstance(fp, str) or not fp:
            raise ConfigError("missing fingerprint", path=shown, field=f"findings[{i}].fingerprint")
        fps.add(fp)
    return Baseline(frozenset(fps), shown)


def apply_baseline(
    findings: Iterable[Finding], baseline: Baseline
) -> tuple[tuple[Finding, ...], tuple[SuppressedFinding, ...]]:
    """Pure: findings already in the baseline are kept as suppressed; new ones stay active."""
    kept: list[Finding] = []
    known: list[SuppressedFinding] = []
    for f in findings:
        if f.fingerprint in baseline.fingerprints:
            known.append(
                SuppressedFinding(f, Suppression(kind="baseline", reason="in baseline", source=baseline.source))
            )
        else:
            kept.append(f)
    return tuple(kept), tuple(known)
