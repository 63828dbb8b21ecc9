"""SQL for scans."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from garrison.server.models import Scan


def recent(session: Session, project_id: int, limit: int) -> list[Scan]:
    q = select(Scan).where(Scan.project_id == project_id).order_by(Scan.id.desc()).limit(limit)
    return list(session.scalars(q))


def count(session: Session, project_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(Scan).where(Scan.project_id == project_id)) or 0)
