"""All SQL about findings. Bulk statements (one executemany per kind of change) keep the number of queries
per upload constant, whatever the number of findings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, func, or_, select, tuple_, update
from sqlalchemy.orm import Session

from garrison.server.db import bulk_insert
from garrison.server.findings.lifecycle import TRACKED_FIELDS, Known, Status
from garrison.server.models import EpssScore, FindingBranch, FindingEvent, FindingRow, KevEntry, Occurrence, table_of

F = FindingRow
T = table_of(FindingRow)  # Core table for bulk executemany (no ORM bookkeeping)
TB = table_of(FindingBranch)


def load_known(session: Session, project_id: int) -> tuple[dict[str, Known], dict[int, dt.datetime]]:
    """Every finding of the project as the lifecycle sees it, and each one's first-seen time."""
    cols = [F.id, F.fingerprint, F.analyzer, F.status, F.first_seen_at, *(getattr(F, n) for n in TRACKED_FIELDS)]
    branches: dict[int, set[str]] = defaultdict(set)
    q = (
        select(FindingBranch.finding_id, FindingBranch.branch)
        .join(F, F.id == FindingBranch.finding_id)
        .where(F.project_id == project_id)
    )
    for fid, branch in session.execute(q):
        branches[fid].add(branch)
    out = {}
    firsts = {}
    for row in session.execute(select(*cols).where(F.project_id == project_id)):
        fid, fp, analyzer, status = row[0], row[1], row[2], row[3]
        firsts[fid] = row[4]
        fields = dict(zip(TRACKED_FIELDS, row[5:]))
        out[fp] = Known(fid, fp, analyzer, Status(status), frozenset(branches.get(fid, ())), fields)
    return out, firsts


def insert_findings(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    bulk_insert(session, T, [dict(r) for r in rows])


def ids_of_scan(session: Session, project_id: int, scan_id: int) -> dict[str, int]:
    q = select(F.fingerprint, F.id).where(F.project_id == project_id, F.first_scan_id == scan_id)
    return {fp: fid for fp, fid in session.execute(q)}


def add_branches(session: Session, finding_ids: Sequence[int], branch: str) -> None:
    bulk_insert(session, TB, [{"finding_id": i, "branch": branch} for i in finding_ids])


def remove_branches(session: Session, finding_ids: Sequence[int], branch: str) -> None:
    if finding_ids:
        stmt = delete(TB).where(TB.c.finding_id == bindparam("fid"), TB.c.branch == bindparam("br"))
        session.execute(stmt, [{"fid": i, "br": branch} for i in finding_ids])


def update_fields(session: Session, updates: Sequence[Mapping[str, Any]]) -> None:
    """``updates``: dicts with ``fid`` and every tracked field plus ``due_at``."""
    if updates:
        values: dict[str, Any] = {n: bindparam(f"v_{n}") for n in (*TRACKED_FIELDS, "due_at")}
        stmt = update(T).where(T.c.id == bindparam("fid")).values(values)
        params = [{"fid": u["fid"], **{f"v_{k}": u[k] for k in (*TRACKED_FIELDS, "due_at")}} for u in updates]
        session.execute(stmt, params)


def set_statuses(session: Session, changes: Sequence[Mapping[str, Any]]) -> None:
    """``changes``: dicts with ``fid``, ``status``, ``fixed_at`` and the triage columns."""
    if changes:
        cols = ("status", "fixed_at", "triage_reason", "triage_by", "approver", "risk_expires", "duplicate_of")
        stmt = update(T).where(T.c.id == bindparam("fid")).values({c: bindparam(f"v_{c}") for c in cols})
        params = [{"fid": c["fid"], **{f"v_{k}": c[k] for k in cols}} for c in changes]
        session.execute(stmt, params)


def add_events(session: Session, events: Sequence[Mapping[str, Any]]) -> None:
    bulk_insert(session, table_of(FindingEvent), [dict(e) for e in events])


def add_occurrences(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    bulk_insert(session, table_of(Occurrence), [dict(r) for r in rows])


def mark_seen(session: Session, project_id: int, scan_id: int, at: dt.datetime) -> None:
    seen = select(Occurrence.finding_id).where(Occurrence.scan_id == scan_id)
    session.execute(
        update(T)
        .where(T.c.project_id == project_id, T.c.id.in_(seen))
        .where(or_(T.c.first_scan_id.is_(None), T.c.first_scan_id != scan_id))  # new ones are already current
        .values(last_seen_at=at, last_scan_id=scan_id)
    )


def open_by_severity(session: Session, project_id: int) -> dict[int, int]:
    q = (
        select(F.severity, func.count())
        .where(F.project_id == project_id, F.status.in_(["open", "reopened"]))
        .group_by(F.severity)
    )
    return {int(s): int(n) for s, n in session.execute(q)}


def expired_risks(
    session: Session, today: dt.date, project_id: int | None = None
) -> list[tuple[int, dt.date | None, bool]]:
    """(id, expiry, still present somewhere) of accepted risks whose expiry has passed."""
    present = select(FindingBranch.finding_id).where(FindingBranch.finding_id == F.id).exists()
    q = select(F.id, F.risk_expires, present).where(F.status == "accepted_risk", F.risk_expires < today)
    if project_id is not None:
        q = q.where(F.project_id == project_id)
    return [(int(i), e, bool(p)) for i, e, p in session.execute(q)]


def get(session: Session, finding_id: int) -> FindingRow | None:
    return session.get(F, finding_id)


def branches_of(session: Session, finding_id: int) -> list[str]:
    q = select(FindingBranch.branch).where(FindingBranch.finding_id == finding_id).order_by(FindingBranch.branch)
    return list(session.scalars(q))


def history(session: Session, finding_id: int, limit: int = 1000) -> list[FindingEvent]:
    q = select(FindingEvent).where(FindingEvent.finding_id == finding_id).order_by(FindingEvent.id).limit(limit)
    return list(session.scalars(q))


def occurrences(session: Session, finding_id: int, limit: int = 50) -> list[Occurrence]:
    q = select(Occurrence).where(Occurrence.finding_id == finding_id).order_by(Occurrence.id.desc()).limit(limit)
    return list(session.scalars(q))


def rows_by_ids(session: Session, ids: Sequence[int]) -> list[FindingRow]:
    return list(session.scalars(select(F).where(F.id.in_(list(ids))))) if ids else []


# --------------------------------------------------------------------------------------------- listing


@dataclass(frozen=True, slots=True)
class Filters:
    status: tuple[str, ...] = ()
    severity: tuple[int, ...] = ()
    kind: tuple[str, ...] = ()
    rule: str | None = None
    package: str | None = None
    analyzer: str | None = None
    branch: str | None = None
    path: str | None = None
    overdue: bool | None = None
    due_before: dt.datetime | None = None
    q: str | None = None


#: sort name → (column, descending)
SORTS: dict[str, tuple[Any, bool]] = {
    "-severity": (F.severity, True),
    "severity": (F.severity, False),
    "due": (F.due_at, False),
    "-due": (F.due_at, True),
    "-last_seen": (F.last_seen_at, True),
    "first_seen": (F.first_seen_at, False),
    "-first_seen": (F.first_seen_at, True),
    "id": (F.id, False),
}


def _filtered(q: Select[Any], project_id: int, f: Filters, now: dt.datetime) -> Select[Any]:
    q = q.where(F.project_id == project_id)
    if f.status:
        q = q.where(F.status.in_(f.status))
    if f.severity:
        q = q.where(F.severity.in_(f.severity))
    if f.kind:
        q = q.where(F.kind.in_(f.kind))
    if f.rule:
        q = q.where(F.rule_id == f.rule)
    if f.package:
        q = q.where(F.package == f.package)
    if f.analyzer:
        q = q.where(F.analyzer == f.analyzer)
    if f.path:
        q = q.where(F.path == f.path)
    if f.branch:
        q = q.where(
            select(FindingBranch.finding_id)
            .where(FindingBranch.finding_id == F.id, FindingBranch.branch == f.branch)
            .exists()
        )
    if f.overdue is not None:
        active = F.status.in_(["open", "reopened"])
        late = and_(active, F.due_at < now)
        q = q.where(late if f.overdue else or_(~active, F.due_at >= now))
    if f.due_before is not None:
        q = q.where(F.due_at < f.due_before)
    if f.q:
        like = f"%{f.q.replace('%', '').replace('_', '')}%"
        q = q.where(or_(F.title.ilike(like), F.path.ilike(like), F.rule_id.ilike(like), F.package.ilike(like)))
    return q


def list_page(
    session: Session,
    project_id: int,
    f: Filters,
    *,
    sort: str,
    after: tuple[Any, int] | None,
    limit: int,
    now: dt.datetime,
) -> tuple[list[FindingRow], int]:
    col, desc = SORTS[sort]
    q = _filtered(select(F), project_id, f, now)
    if after is not None:
        value, last_id = after
        key = tuple_(col, F.id)
        q = q.where(key < tuple_(value, last_id) if desc else key > tuple_(value, last_id))
    order = (col.desc(), F.id.desc()) if desc else (col.asc(), F.id.asc())
    rows = list(session.scalars(q.order_by(*order).limit(limit + 1)))
    total = int(session.scalar(_filtered(select(func.count()).select_from(F), project_id, f, now)) or 0)
    return rows, total


def epss_for(session: Session, cves: Sequence[str]) -> dict[str, EpssScore]:
    return {e.cve: e for e in session.scalars(select(EpssScore).where(EpssScore.cve.in_(list(cves))))}


def kev_for(session: Session, cves: Sequence[str]) -> dict[str, KevEntry]:
    return {k.cve: k for k in session.scalars(select(KevEntry).where(KevEntry.cve.in_(list(cves))))}
