"""SQL for metrics: aggregate queries, one statement each, portable between SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, and_, case, func, select
from sqlalchemy.orm import Session

from garrison.server.models import FindingRow, Scan

F = FindingRow
ACTIVE = ("open", "reopened")


def by_status_severity(session: Session, project_id: int) -> list[tuple[str, int, int]]:
    q = select(F.status, F.severity, func.count()).where(F.project_id == project_id).group_by(F.status, F.severity)
    return [(s, int(v), int(n)) for s, v, n in session.execute(q)]


def weekly(session: Session, project_id: int, column: Any, edges: Sequence[dt.datetime]) -> list[int]:
    """How many findings have ``column`` within each [edges[i], edges[i+1])."""
    sums = [
        func.sum(case((and_(column >= lo, column < hi), 1), else_=0)).cast(Integer)
        for lo, hi in itertools.pairwise(edges)
    ]
    q = select(*sums).where(F.project_id == project_id, column >= edges[0], column < edges[-1])
    row = session.execute(q).one()
    return [int(x or 0) for x in row]


def _days_between(session: Session, later: Any, earlier: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.extract("epoch", later - earlier) / 86400.0


def mean_time_to_fix(session: Session, project_id: int) -> tuple[float | None, int]:
    """Over fixed findings (``fixed_at`` is set exactly while the status is ``fixed``)."""
    days = _days_between(session, F.fixed_at, F.first_seen_at)
    q = select(func.avg(days), func.count()).where(F.project_id == project_id, F.fixed_at.is_not(None))
    avg, n = session.execute(q).one()
    return (round(float(avg), 2) if avg is not None else None), int(n)


def sla_breaches(session: Session, project_id: int, now: dt.datetime) -> dict[int, tuple[int, int]]:
    """Per severity: (active past due, fixed after due); two index-only queries."""
    out: dict[int, list[int]] = {}
    q1 = (
        select(F.severity, func.count())
        .where(F.project_id == project_id, F.status.in_(ACTIVE), F.due_at < now)
        .group_by(F.severity)
    )
    for sev, n in session.execute(q1):
        out.setdefault(int(sev), [0, 0])[0] = int(n)
    q2 = (
        select(F.severity, func.count())
        .where(F.project_id == project_id, F.fixed_at.is_not(None), F.fixed_at > F.due_at)
        .group_by(F.severity)
    )
    for sev, n in session.execute(q2):
        out.setdefault(int(sev), [0, 0])[1] = int(n)
    return {s: (a, b) for s, (a, b) in out.items()}


def open_series(
    session: Session, project_id: int, limit: int = 200
) -> list[tuple[dt.datetime, int, str, dict[str, Any]]]:
    q = (
        select(Scan.created_at, Scan.open_total, Scan.branch, Scan.open_by_severity)
        .where(Scan.project_id == project_id)
        .order_by(Scan.id.desc())
        .limit(limit)
    )
    return [(t, int(n), b, dict(s or {})) for t, n, b, s in reversed(session.execute(q).all())]
