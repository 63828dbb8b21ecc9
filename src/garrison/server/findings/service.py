"""Findings: listing with filters and cursors, detail with SLA and priority, history, triage, risk expiry."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from garrison.core.severity import Severity
from garrison.server.auth.service import Principal, require
from garrison.server.clock import iso
from garrison.server.db import lock_project
from garrison.server.errors import Invalid, NotFound
from garrison.server.findings import repository as repo
from garrison.server.findings.lifecycle import (
    RiskState,
    Status,
    TriageError,
    TriageRequest,
    check_triage,
    expired_risks,
    sla_view,
)
from garrison.server.findings.priority import prioritise
from garrison.server.models import EpssScore, FindingRow, KevEntry, Project
from garrison.server.projects import repository as projects_repo

MAX_PAGE = 500


def status_change(
    fid: int, new: Status, *, now: dt.datetime, actor: str, req: TriageRequest | None = None
) -> dict[str, Any]:
    """The columns a status change sets (triage columns are cleared unless the new status is a triage)."""
    return {
        "fid": fid,
        "status": new.value,
        "fixed_at": now if new == Status.FIXED else None,
        "triage_reason": req.reason.strip() if req else "",
        "triage_by": actor if req else "",
        "approver": req.approver.strip() if req and new == Status.ACCEPTED_RISK else "",
        "risk_expires": req.expires if req and new == Status.ACCEPTED_RISK else None,
        "duplicate_of": req.duplicate_of if req and new == Status.DUPLICATE else None,
    }


def event(
    fid: int,
    *,
    at: dt.datetime,
    actor: str,
    action: str,
    field: str = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
    scan_id: int | None = None,
) -> dict[str, Any]:
    def text(v: Any) -> str | None:
        if v is None:
            return None
        if isinstance(v, (list, tuple, dict)):
            return json.dumps(v, sort_keys=True)
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)

    return {
        "finding_id": fid,
        "scan_id": scan_id,
        "at": at,
        "actor": actor,
        "action": action,
        "field": field,
        "old": text(old),
        "new": text(new),
        "reason": reason,
    }


def expire_risks(session: Session, now: dt.datetime, project_id: int | None = None) -> int:
    """Reopen accepted risks whose expiry passed; each is an audit record by ``system``."""
    rows = repo.expired_risks(session, now.date(), project_id)
    transitions = expired_risks((RiskState(i, Status.ACCEPTED_RISK, e, p) for i, e, p in rows), now.date())
    if transitions:
        repo.set_statuses(session, [status_change(t.finding_id, t.new, now=now, actor="system") for t in transitions])
        repo.add_events(
            session,
            [
                event(
                    t.finding_id,
                    at=now,
                    actor="system",
                    action="status",
                    field="status",
                    old=t.old.value,
                    new=t.new.value,
                    reason=t.reason,
                )
                for t in transitions
            ],
        )
    return len(transitions)


# --------------------------------------------------------------------------------------------- reading


def encode_cursor(sort: str, value: Any, last_id: int) -> str:
    v = iso(value) if isinstance(value, dt.datetime) else value
    return base64.urlsafe_b64encode(json.dumps([sort, v, last_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        csort, value, last_id = raw
        if csort != sort or not isinstance(last_id, int):
            raise ValueError
        if repo.SORTS[sort][0].key in ("due_at", "last_seen_at", "first_seen_at"):
            value = dt.datetime.fromisoformat(str(value).rstrip("Z"))
        elif not isinstance(value, int):
            raise ValueError
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise Invalid(
            "invalid cursor for this sort (take next_cursor from the previous page)", field="cursor"
        ) from None
    return value, last_id


def _intel(session: Session, cves: Sequence[str]) -> tuple[dict[str, EpssScore], dict[str, KevEntry]]:
    wanted = sorted({c for c in cves if c})
    if not wanted:
        return {}, {}
    return repo.epss_for(session, wanted), repo.kev_for(session, wanted)


def to_item(
    row: FindingRow, project: str, now: dt.datetime, epss: Mapping[str, EpssScore], kev: Mapping[str, KevEntry]
) -> dict[str, Any]:
    sev = Severity(row.severity).label
    status = Status(row.status)
    sla = sla_view(status=status, first_seen=row.first_seen_at, due=row.due_at, fixed_at=row.fixed_at, now=now)
    e = epss.get(row.cve or "")
    k = kev.get(row.cve or "")
    prio = prioritise(
        severity=sev,
        cvss=row.cvss,
        epss=e.epss if e else None,
        percentile=e.percentile if e else None,
        kev_added=(k.date_added or "unknown") if k else None,
        fix_available=row.fix_available,
    )
    return {
        "id": row.id,
        "project": project,
        "fingerprint": row.fingerprint,
        "analyzer": row.analyzer,
        "kind": row.kind,
        "rule_id": row.rule_id,
        "title": row.title,
        "severity": sev,
        "status": status.value,
        "message": row.message,
        "path": row.path,
        "line": row.line,
        "resource": row.resource,
        "purl": row.purl,
        "package": row.package,
        "package_version": row.package_version,
        "fix_available": row.fix_available,
        "fix_versions": list(row.fix_versions or []),
        "cve": row.cve,
        "aliases": list(row.aliases or []),
        "cvss": row.cvss,
        "epss": e.epss if e else None,
        "epss_percentile": e.percentile if e else None,
        "kev": k is not None,
        "priority": prio.level,
        "priority_score": prio.score,
        "priority_reasons": list(prio.reasons),
        "first_seen_at": iso(row.first_seen_at),
        "last_seen_at": iso(row.last_seen_at),
        "fixed_at": iso(row.fixed_at),
        "due_at": iso(sla.due_at),
        "sla_breached": sla.breached,
        "days_left": sla.days_left,
        "time_to_fix_days": sla.time_to_fix_days,
        "triage": {
            "reason": row.triage_reason,
            "by": row.triage_by,
            "approver": row.approver,
            "expires": row.risk_expires.isoformat() if row.risk_expires else None,
            "duplicate_of": row.duplicate_of,
        },
    }


def list_findings(
    session: Session,
    project: Project,
    filters: repo.Filters,
    *,
    sort: str,
    cursor: str | None,
    limit: int,
    now: dt.datetime,
) -> dict[str, Any]:
    if sort not in repo.SORTS:
        raise Invalid(f"unknown sort {sort!r} (one of: {', '.join(repo.SORTS)})", field="sort")
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be 1–{MAX_PAGE}", field="limit")
    after = decode_cursor(cursor, sort) if cursor else None
    rows, total = repo.list_page(session, project.id, filters, sort=sort, after=after, limit=limit, now=now)
    more = len(rows) > limit
    rows = rows[:limit]
    epss, kev = _intel(session, [r.cve or "" for r in rows])
    next_cursor = None
    if more and rows:
        last = rows[-1]
        col = repo.SORTS[sort][0].key
        next_cursor = encode_cursor(sort, getattr(last, col), last.id)
    return {
        "items": [to_item(r, project.name, now, epss, kev) for r in rows],
        "total": total,
        "next_cursor": next_cursor,
    }


def get_visible(
    session: Session, principal: Principal, finding_id: int, role: str = "reader"
) -> tuple[FindingRow, Project]:
    row = repo.get(session, finding_id)
    project = projects_repo.by_id(session, row.project_id) if row is not None else None
    if row is None or project is None or not principal.may_see(project.name):
        raise NotFound(f"no finding {finding_id}")
    require(principal, role, project.name)
    return row, project


def detail(session: Session, row: FindingRow, project: Project, now: dt.datetime) -> dict[str, Any]:
    epss, kev = _intel(session, [row.cve or ""])
    item = to_item(row, project.name, now, epss, kev)
    item["branches"] = repo.branches_of(session, row.id)
    item["detail"] = row.detail
    item["occurrences"] = [
        {"scan_id": o.scan_id, "branch": o.branch, "location": o.location} for o in repo.occurrences(session, row.id)
    ]
    k = kev.get(row.cve or "")
    item["kev_entry"] = (
        {"name": k.name, "date_added": k.date_added, "due_date": k.due_date, "ransomware": k.ransomware} if k else None
    )
    return item


def history(session: Session, row: FindingRow) -> list[dict[str, Any]]:
    return [
        {
            "at": iso(e.at),
            "actor": e.actor,
            "action": e.action,
            "field": e.field,
            "from": e.old,
            "to": e.new,
            "reason": e.reason,
            "scan_id": e.scan_id,
        }
        for e in repo.history(session, row.id)
    ]


# --------------------------------------------------------------------------------------------- triage


def triage(
    session: Session,
    principal: Principal,
    rows: Sequence[tuple[FindingRow, Project]],
    req: TriageRequest,
    now: dt.datetime,
) -> list[int]:
    """Apply one triage action to findings the caller may write; all or nothing."""
    for name in sorted({project.name for _row, project in rows}):
        lock_project(session, name)  # the rows reload inside the locked transaction
    changes = []
    events = []
    for row, project in rows:
        require(principal, "writer", project.name)
        try:
            t = check_triage(Status(row.status), req, today=now.date(), finding_id=row.id)
        except TriageError as exc:
            raise Invalid(f"finding {row.id}: {exc}", field=exc.field) from None
        if req.status == Status.DUPLICATE:
            original = repo.get(session, req.duplicate_of or 0)
            if original is None or original.project_id != row.project_id:
                raise Invalid(f"finding {req.duplicate_of} is not in project {project.name!r}", field="duplicate_of")
        new = t.new
        if new == Status.REOPENED and not repo.branches_of(session, row.id):
            new = Status.FIXED  # un-triaged, but no scan sees it any more
        changes.append(status_change(row.id, new, now=now, actor=principal.name, req=req))
        detail = ""
        if req.status == Status.ACCEPTED_RISK:
            detail = f" (approved by {req.approver.strip()}, until {req.expires.isoformat() if req.expires else '?'})"
        if req.status == Status.DUPLICATE:
            detail = f" (duplicate of {req.duplicate_of})"
        events.append(
            event(
                row.id,
                at=now,
                actor=principal.name,
                action="triage",
                field="status",
                old=t.old.value,
                new=new.value,
                reason=t.reason + detail,
            )
        )
    repo.set_statuses(session, changes)
    repo.add_events(session, events)
    session.expire_all()
    return [c["fid"] for c in changes]
