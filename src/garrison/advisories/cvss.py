"""CVSS base scores from OSV ``severity`` vectors, computed with the ``cvss`` library (v2, v3.0/3.1, v4.0).

When an advisory carries several vectors, the newest CVSS version wins (v4 > v3.1 > v3.0 > v2): it is the
latest assessment of the same vulnerability. Invalid vectors are ignored (the database-specific severity,
then the configured default, apply instead).
"""

from __future__ import annotations

from collections.abc import Iterable

from garrison.advisories.model import Severity as OsvSeverity

_PREFERENCE = {"CVSS_V4": 3, "CVSS_V3": 2, "CVSS_V2": 1}


def base_score(kind: str, vector: str) -> float | None:
    """The base score of one vector, or None if the vector is not valid for its kind."""
    import cvss

    try:
        if kind == "CVSS_V4":
            return float(cvss.CVSS4(vector).base_score)
        if kind == "CVSS_V3":
            return float(cvss.CVSS3(vector).base_score)
        if kind == "CVSS_V2":
            return float(cvss.CVSS2(vector).base_score)
    except (cvss.CVSSError, ValueError, KeyError, IndexError, TypeError, ArithmeticError):
        return None
    return None


def best_score(entries: Iterable[OsvSeverity]) -> tuple[float, str] | None:
    """(score, vector) of the most recent CVSS version present, or None."""
    best: tuple[int, float, str] | None = None
    for e in entries:
        rank = _PREFERENCE.get(e.type)
        if rank is None:
            continue
        score = base_score(e.type, e.score)
        if score is None:
            continue
        if best is None or rank > best[0]:
            best = (rank, score, e.score)
    return None if best is None else (best[1], best[2])
