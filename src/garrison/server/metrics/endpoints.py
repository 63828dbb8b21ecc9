"""/api/v1/projects/{project}/metrics"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from garrison.server.deps import NowDep, PrincipalDep, SessionDep
from garrison.server.metrics import service
from garrison.server.projects import service as projects

router = APIRouter(prefix="/api/v1/projects/{project}/metrics", tags=["metrics"])


@router.get("")
def project_metrics(
    project: str,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
    weeks: Annotated[int, Query(ge=1, le=104)] = 12,
) -> Any:
    """Open by severity, opened/closed per week, mean time to fix, SLA breaches, open findings over time."""
    p = projects.get_visible(session, principal, project)
    return service.metrics(session, p, now, weeks)
