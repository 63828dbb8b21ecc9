"""SQL for projects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.orm import Session

from garrison.server.models import FindingRow, Project, table_of


def by_name(session: Session, name: str) -> Project | None:
    return session.scalars(select(Project).where(Project.name == name)).first()


def by_id(session: Session, project_id: int) -> Project | None:
    return session.get(Project, project_id)


def add(session: Session, project: Project) -> Project:
    session.add(project)
    session.flush()
    return project


def list_all(session: Session, names: Sequence[str] | None) -> list[Project]:
    q = select(Project).order_by(Project.name)
    if names is not None:
        q = q.where(Project.name.in_(list(names)))
    return list(session.scalars(q))


def counts(session: Session, project_ids: Sequence[int], now: dt.datetime) -> dict[int, dict[str, Any]]:
    """Per project: open findings by severity and how many of them are overdue."""
    out: dict[int, dict[str, Any]] = {pid: {"open": {}, "overdue": 0} for pid in project_ids}
    if not project_ids:
        return out
    F = FindingRow
    active = F.status.in_(["open", "reopened"])
    q = (
        select(F.project_id, F.severity, func.count(), func.sum(case((F.due_at < now, 1), else_=0)))
        .where(F.project_id.in_(list(project_ids)), active)
        .group_by(F.project_id, F.severity)
    )
    for pid, sev, n, late in session.execute(q):
        out[pid]["open"][int(sev)] = int(n)
        out[pid]["overdue"] += int(late or 0)
    return out


def finding_ages(session: Session, project_id: int) -> list[tuple[int, dt.datetime, int]]:
    """(id, first seen, severity) of every finding of the project."""
    F = FindingRow
    q = select(F.id, F.first_seen_at, F.severity).where(F.project_id == project_id)
    return [(int(i), t, int(s)) for i, t, s in session.execute(q)]


def set_due_dates(session: Session, due: dict[int, dt.datetime]) -> None:
    if due:
        T = table_of(FindingRow)
        stmt = update(T).where(T.c.id == bindparam("fid")).values(due_at=bindparam("v"))
        session.execute(stmt, [{"fid": i, "v": d} for i, d in due.items()])
