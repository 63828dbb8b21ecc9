"""Computed priority with its explanation: a pure function of severity, CVSS, EPSS, CISA KEV and fix status.

score = 6 × base (CVSS, or a stand-in for the severity) + 30 × EPSS probability + 30 if in KEV + 5 if a fix
exists, capped at 100. P1 ≥ 80 or any KEV entry; P2 ≥ 60; P3 ≥ 35; P4 otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

SEVERITY_BASE = {"critical": 9.5, "high": 8.0, "medium": 5.5, "low": 3.0, "info": 0.0}


@dataclass(frozen=True, slots=True)
class Priority:
    level: str  # P1..P4
    score: float
    reasons: tuple[str, ...]


def prioritise(
    *,
    severity: str,
    cvss: float | None,
    epss: float | None,
    percentile: float | None,
    kev_added: str | None,
    fix_available: bool,
) -> Priority:
    reasons = []
    if cvss is not None:
        base = max(0.0, min(10.0, cvss))
        reasons.append(f"CVSS {base:.1f} → +{6 * base:.1f}")
    else:
        base = SEVERITY_BASE.get(severity, 0.0)
        reasons.append(f"severity {severity} (no CVSS) → +{6 * base:.1f}")
    score = 6 * base
    if epss is not None:
        pct = f", {percentile * 100:.0f}th percentile" if percentile is not None else ""
        reasons.append(f"EPSS {epss:.3f}{pct} → +{30 * epss:.1f}")
        score += 30 * epss
    else:
        reasons.append("no EPSS score")
    kev = kev_added is not None
    if kev:
        reasons.append(f"in CISA KEV (added {kev_added or 'unknown'}) → +30, at least P1")
        score += 30
    if fix_available:
        reasons.append("fix available → +5")
        score += 5
    score = round(min(100.0, score), 1)
    if kev or score >= 80:
        level = "P1"
    elif score >= 60:
        level = "P2"
    elif score >= 35:
        level = "P3"
    else:
        level = "P4"
    return Priority(level, score, tuple(reasons))
