"""/api/v1/projects/{project}/findings and /api/v1/findings/{id}: list, detail, history, triage."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from garrison.core.severity import Severity
from garrison.server.deps import NowDep, PrincipalDep, SessionDep
from garrison.server.errors import Invalid, NotFound
from garrison.server.findings import repository as repo
from garrison.server.findings import service
from garrison.server.findings.lifecycle import Status, TriageRequest
from garrison.server.findings.schemas import BulkTriageIn, FindingPage, TriageIn, TriageOut
from garrison.server.models import FindingRow, Project
from garrison.server.projects import service as projects

router = APIRouter(tags=["findings"])
FindingId = Annotated[int, Path(ge=1, le=2**31 - 1)]
KINDS = ("secret", "vulnerability", "misconfiguration", "code", "license", "compliance", "dast")


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for raw in values or [] for v in raw.split(",") if v.strip()]


def parse_filters(
    *,
    status: list[str] | None,
    severity: list[str] | None,
    kind: list[str] | None,
    rule: str | None,
    package: str | None,
    analyzer: str | None,
    branch: str | None,
    path: str | None,
    overdue: bool | None,
    due_before: dt.date | None,
    q: str | None,
) -> repo.Filters:
    statuses = _split(status)
    if statuses == ["active"]:
        statuses = ["open", "reopened"]
    for s in statuses:
        if s not in {x.value for x in Status}:
            raise Invalid(
                f"unknown status {s!r} (one of: {', '.join(x.value for x in Status)}, or active)", field="status"
            )
    sevs = []
    for s in _split(severity):
        if s.lower() not in {x.label for x in Severity}:
            raise Invalid(f"unknown severity {s!r}", field="severity")
        sevs.append(int(Severity.parse(s)))
    kinds = _split(kind)
    for k in kinds:
        if k not in KINDS:
            raise Invalid(f"unknown kind {k!r} (one of: {', '.join(KINDS)})", field="kind")
    return repo.Filters(
        status=tuple(statuses),
        severity=tuple(sevs),
        kind=tuple(kinds),
        rule=rule,
        package=package,
        analyzer=analyzer,
        branch=branch,
        path=path,
        overdue=overdue,
        due_before=dt.datetime.combine(due_before, dt.time()) if due_before else None,
        q=q,
    )


@router.get("/api/v1/projects/{project}/findings", response_model=FindingPage)
def list_findings(
    project: str,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
    status: Annotated[
        list[str] | None,
        Query(description="open, fixed, reopened, false_positive, accepted_risk, duplicate; or active"),
    ] = None,
    severity: Annotated[
        list[str] | None, Query(description="critical, high, medium, low, info (repeat or comma-separate)")
    ] = None,
    kind: Annotated[list[str] | None, Query()] = None,
    rule: Annotated[str | None, Query(max_length=300)] = None,
    package: Annotated[str | None, Query(max_length=300)] = None,
    analyzer: Annotated[str | None, Query(max_length=100)] = None,
    branch: Annotated[str | None, Query(max_length=250)] = None,
    path: Annotated[str | None, Query(max_length=2000)] = None,
    overdue: bool | None = None,
    due_before: dt.date | None = None,
    q: Annotated[str | None, Query(max_length=200, description="substring of title, path, rule or package")] = None,
    sort: Annotated[str, Query(description=", ".join(repo.SORTS))] = "-severity",
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
) -> Any:
    """Findings of a project, filtered, sorted, cursor-paginated: `{"items", "total", "next_cursor"}`."""
    p = projects.get_visible(session, principal, project)
    filters = parse_filters(
        status=status,
        severity=severity,
        kind=kind,
        rule=rule,
        package=package,
        analyzer=analyzer,
        branch=branch,
        path=path,
        overdue=overdue,
        due_before=due_before,
        q=q,
    )
    return service.list_findings(session, p, filters, sort=sort, cursor=cursor, limit=limit, now=now)


@router.get("/api/v1/findings/{finding_id}")
def get_finding(finding_id: FindingId, session: SessionDep, principal: PrincipalDep, now: NowDep) -> Any:
    """One finding with SLA, priority (and why), branches and recent occurrences."""
    row, project = service.get_visible(session, principal, finding_id)
    return service.detail(session, row, project, now)


@router.get("/api/v1/findings/{finding_id}/history")
def finding_history(finding_id: FindingId, session: SessionDep, principal: PrincipalDep) -> Any:
    """Every change: who, when, from, to, why."""
    row, _project = service.get_visible(session, principal, finding_id)
    return {"items": service.history(session, row)}


def _request(body: TriageIn) -> TriageRequest:
    return TriageRequest(
        status=Status(body.status),
        reason=body.reason,
        approver=body.approver,
        expires=body.expires,
        duplicate_of=body.duplicate_of,
    )


@router.post("/api/v1/findings/{finding_id}/triage", response_model=TriageOut)
def triage_finding(
    finding_id: FindingId, body: TriageIn, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> Any:
    """Set false_positive, accepted_risk (reason, approver, expires), duplicate (duplicate_of), or reopen it."""
    row, project = service.get_visible(session, principal, finding_id, "writer")
    ids = service.triage(session, principal, [(row, project)], _request(body), now)
    session.commit()
    return {"updated": ids}


@router.post("/api/v1/projects/{project}/findings/triage", response_model=TriageOut)
def bulk_triage(project: str, body: BulkTriageIn, session: SessionDep, principal: PrincipalDep, now: NowDep) -> Any:
    """The same triage action on many findings of one project, all or nothing."""
    p: Project = projects.get_visible(session, principal, project, "writer")
    rows: list[FindingRow] = repo.rows_by_ids(session, sorted(set(body.ids)))
    found = {r.id: r for r in rows if r.project_id == p.id}
    missing = sorted(set(body.ids) - set(found))
    if missing:
        raise NotFound(
            f"no finding {missing[0]} in project {project!r}"
            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
        )
    ids = service.triage(session, principal, [(found[i], p) for i in sorted(found)], _request(body), now)
    session.commit()
    return {"updated": ids}
