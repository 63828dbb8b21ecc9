"""Project metrics: open by severity, opened/closed per week, mean time to fix, SLA breaches, open over time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from garrison.core.severity import Severity
from garrison.server.clock import iso
from garrison.server.errors import Invalid
from garrison.server.metrics import repository as repo
from garrison.server.models import FindingRow, Project


def week_edges(now: dt.datetime, weeks: int) -> list[dt.datetime]:
    """Monday-00:00 boundaries: ``weeks`` whole weeks ending with the current one (the last edge is next Monday)."""
    monday = dt.datetime.combine(now.date() - dt.timedelta(days=now.weekday()), dt.time())
    start = monday - dt.timedelta(weeks=weeks - 1)
    return [start + dt.timedelta(weeks=i) for i in range(weeks + 1)]


def metrics(session: Session, project: Project, now: dt.datetime, weeks: int = 12) -> dict[str, Any]:
    if not 1 <= weeks <= 104:
        raise Invalid("weeks must be 1–104", field="weeks")
    labels = [s.label for s in sorted(Severity, reverse=True)]
    open_sev = dict.fromkeys(labels, 0)
    by_status: dict[str, int] = {}
    for status, sev, n in repo.by_status_severity(session, project.id):
        by_status[status] = by_status.get(status, 0) + n
        if status in repo.ACTIVE:
            open_sev[Severity(sev).label] += n
    edges = week_edges(now, weeks)
    opened = repo.weekly(session, project.id, FindingRow.first_seen_at, edges)
    closed = repo.weekly(session, project.id, FindingRow.fixed_at, edges)
    mttf, fixed_n = repo.mean_time_to_fix(session, project.id)
    breaches = {lab: {"open_overdue": 0, "fixed_late": 0} for lab in labels}
    for sev, (open_late, fixed_late) in repo.sla_breaches(session, project.id, now).items():
        breaches[Severity(sev).label] = {"open_overdue": open_late, "fixed_late": fixed_late}
    return {
        "project": project.name,
        "open_by_severity": open_sev,
        "open_total": sum(open_sev.values()),
        "by_status": by_status,
        "weeks": [{"week_start": iso(lo), "opened": o, "closed": c} for lo, o, c in zip(edges, opened, closed)],
        "mean_time_to_fix_days": mttf,
        "fixed_total": fixed_n,
        "sla_breaches": breaches,
        "sla_breaches_total": sum(b["open_overdue"] + b["fixed_late"] for b in breaches.values()),
        "open_over_time": [
            {"at": iso(t), "open": n, "branch": b, "by_severity": s}
            for t, n, b, s in repo.open_series(session, project.id)
        ],
    }
