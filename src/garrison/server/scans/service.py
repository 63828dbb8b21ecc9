"""Uploading a scan: validate everything first, then apply the reimport plan in one transaction.

The number of SQL statements per upload is constant (one bulk statement per kind of change), so a 13,000-finding
report costs the same handful of round trips as a 10-finding one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from garrison.core.severity import Severity
from garrison.server.auth.service import Principal, require
from garrison.server.clock import iso
from garrison.server.db import lock_project
from garrison.server.errors import NotFound
from garrison.server.findings import repository as frepo
from garrison.server.findings.lifecycle import Plan, Status, plan_reimport
from garrison.server.findings.service import event, expire_risks, status_change
from garrison.server.models import Project, Scan
from garrison.server.projects import repository as prepo
from garrison.server.projects import service as projects
from garrison.server.scans import repository as srepo
from garrison.server.scans.ingest import Upload

#: test seam: called between the steps of an upload (``step`` name); raising there must roll everything back
Hook = Callable[[str], None]


def no_hook(_step: str) -> None:
    return None


def upload(
    session: Session,
    principal: Principal,
    project_name: str,
    up: Upload,
    *,
    now: dt.datetime,
    sla_defaults: Mapping[str, int],
    hook: Hook = no_hook,
) -> dict[str, Any]:
    """Store one scan. The caller commits (or rolls back) the session."""
    projects.check_name(project_name)
    require(principal, "writer", project_name)
    lock_project(session, project_name)  # first: serializes concurrent uploads to this project
    project = prepo.by_name(session, project_name)
    created = False
    if project is None:
        if not projects.may_create(principal, project_name):
            raise NotFound(f"no project {project_name!r} (this token may not create it)")
        project = projects.create(session, principal, name=project_name, now=now)
        created = True
    expire_risks(session, now, project.id)
    hook("project")
    sla = projects.sla_of(project, sla_defaults)
    scan = Scan(
        project_id=project.id,
        created_at=now,
        format=up.format,
        tool=up.tool,
        tool_version=up.report.tool_version[:100],
        branch=up.scope.branch,
        commit=up.commit,
        analyzers=sorted(up.scope.analyzers),
        partial=up.scope.partial,
        uploaded_by=principal.name,
        finding_count=len(up.observed),
        open_by_severity={},
    )
    session.add(scan)
    session.flush()
    known, firsts = frepo.load_known(session, project.id)
    plan = plan_reimport(known, up.observed, up.scope)
    hook("planned")
    _apply(session, project, scan, up, plan, firsts, now=now, sla=sla, actor=principal.name, hook=hook)
    counts = plan.counts()
    open_now = frepo.open_by_severity(session, project.id)
    scan.new_count = counts["new"]
    scan.fixed_count = counts["fixed"]
    scan.reopened_count = counts["reopened"]
    scan.updated_count = counts["updated"]
    scan.unchanged_count = counts["unchanged"]
    scan.open_total = sum(open_now.values())
    scan.open_by_severity = {Severity(s).label: n for s, n in sorted(open_now.items(), reverse=True)}
    session.flush()
    hook("done")
    return {
        "project": project.name,
        "project_created": created,
        "scan_id": scan.id,
        "format": up.format,
        "branch": up.scope.branch,
        "analyzers": sorted(up.scope.analyzers),
        "partial": up.scope.partial,
        "findings": len(up.observed),
        **counts,
        "status_changes": len(plan.transitions),
        "open": scan.open_total,
    }


def _apply(
    session: Session,
    project: Project,
    scan: Scan,
    up: Upload,
    plan: Plan,
    firsts: Mapping[int, dt.datetime],
    *,
    now: dt.datetime,
    sla: Mapping[str, int],
    actor: str,
    hook: Hook,
) -> None:
    branch = up.scope.branch
    new_rows = []
    for obs in plan.create:
        row = up.row(obs.fingerprint)
        row.update(
            project_id=project.id,
            status=Status.OPEN.value,
            first_seen_at=now,
            last_seen_at=now,
            first_scan_id=scan.id,
            last_scan_id=scan.id,
            fixed_at=None,
            due_at=projects.due_for(now, row["severity"], sla),
            triage_reason="",
            triage_by="",
            approver="",
            risk_expires=None,
            duplicate_of=None,
        )
        new_rows.append(row)
    frepo.insert_findings(session, new_rows)
    hook("inserted")
    new_ids = frepo.ids_of_scan(session, project.id, scan.id) if new_rows else {}
    frepo.add_branches(session, [*new_ids.values(), *plan.add_branch], branch)
    frepo.remove_branches(session, plan.remove_branch, branch)
    # field changes: one row per changed finding with all tracked fields (+ due date when severity moved)
    by_id: dict[int, dict[str, Any]] = {}
    events = [
        event(
            fid,
            at=now,
            actor=actor,
            action="created",
            new=Status.OPEN.value,
            reason=f"first seen on {branch}",
            scan_id=scan.id,
        )
        for fid in new_ids.values()
    ]
    known_fields = {fid: obs for fid, obs in plan.seen}
    for ch in plan.changes:
        if ch.finding_id not in by_id:
            obs = known_fields[ch.finding_id]
            by_id[ch.finding_id] = {"fid": ch.finding_id, **obs.fields, "due_at": None}
        events.append(
            event(
                ch.finding_id,
                at=now,
                actor=actor,
                action="changed",
                field=ch.field,
                old=_label(ch.field, ch.old),
                new=_label(ch.field, ch.new),
                scan_id=scan.id,
            )
        )
    if by_id:
        for fid, u in by_id.items():
            u["due_at"] = projects.due_for(firsts[fid], u["severity"], sla)
    frepo.update_fields(session, list(by_id.values()))
    hook("updated")
    frepo.set_statuses(session, [status_change(t.finding_id, t.new, now=now, actor=actor) for t in plan.transitions])
    events += [
        event(
            t.finding_id,
            at=now,
            actor=actor,
            action="status",
            field="status",
            old=t.old.value,
            new=t.new.value,
            reason=t.reason,
            scan_id=scan.id,
        )
        for t in plan.transitions
    ]
    frepo.add_events(session, events)
    ids = {obs.fingerprint: fid for fid, obs in plan.seen} | new_ids
    frepo.add_occurrences(
        session,
        [
            {
                "finding_id": ids[o.fingerprint],
                "scan_id": scan.id,
                "branch": branch,
                "location": up.locations[o.fingerprint],
            }
            for o in up.observed
            if o.fingerprint in ids
        ],
    )
    hook("occurrences")
    frepo.mark_seen(session, project.id, scan.id, now)


def _label(field: str, value: Any) -> Any:
    if field == "severity" and isinstance(value, int):
        return Severity(value).label
    return value


def list_scans(session: Session, project: Project, limit: int = 100) -> list[dict[str, Any]]:
    return [scan_out(s) for s in srepo.recent(session, project.id, limit)]


def scan_out(s: Scan) -> dict[str, Any]:
    return {
        "id": s.id,
        "created_at": iso(s.created_at),
        "format": s.format,
        "tool": s.tool,
        "branch": s.branch,
        "commit": s.commit,
        "analyzers": list(s.analyzers or []),
        "partial": s.partial,
        "uploaded_by": s.uploaded_by,
        "findings": s.finding_count,
        "new": s.new_count,
        "fixed": s.fixed_count,
        "reopened": s.reopened_count,
        "updated": s.updated_count,
        "unchanged": s.unchanged_count,
        "open": s.open_total,
    }


def count_scans(session: Session, project: Project) -> int:
    return srepo.count(session, project.id)
