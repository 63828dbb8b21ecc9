"""/api/v1/projects"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from garrison.server.auth.service import require
from garrison.server.db import lock_project
from garrison.server.deps import NowDep, PrincipalDep, SessionDep, SettingsDep
from garrison.server.projects import repository as repo
from garrison.server.projects import service
from garrison.server.projects.schemas import ProjectIn, ProjectList, ProjectOut, ProjectPatch

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])


@router.get("", response_model=ProjectList)
def list_projects(session: SessionDep, principal: PrincipalDep, now: NowDep, settings: SettingsDep) -> Any:
    """Projects the caller may see, with open findings per severity and overdue counts."""
    return {"items": service.list_visible(session, principal, now, settings.sla_days)}


@router.post("", response_model=ProjectOut, status_code=201)
def create_project(
    body: ProjectIn, session: SessionDep, principal: PrincipalDep, now: NowDep, settings: SettingsDep
) -> Any:
    """Create a project (admin, or a writer whose token is scoped to this name)."""
    lock_project(session, body.name)
    project = service.create(
        session, principal, name=body.name, now=now, owners=body.owners, tags=body.tags, sla_days=body.sla_days
    )
    session.commit()
    return service.summary(project, {}, settings.sla_days)


@router.get("/{project}", response_model=ProjectOut)
def get_project(project: str, session: SessionDep, principal: PrincipalDep, now: NowDep, settings: SettingsDep) -> Any:
    p = service.get_visible(session, principal, project)
    return service.summary(p, repo.counts(session, [p.id], now)[p.id], settings.sla_days)


@router.patch("/{project}", response_model=ProjectOut)
def update_project(
    project: str, body: ProjectPatch, session: SessionDep, principal: PrincipalDep, now: NowDep, settings: SettingsDep
) -> Any:
    """Owners, tags and the SLA policy (days to fix per severity; due dates are recomputed). Admin only."""
    require(principal, "admin", project)
    lock_project(session, project)
    p = service.get_visible(session, principal, project, "admin")
    service.update_settings(
        session, p, defaults=settings.sla_days, owners=body.owners, tags=body.tags, sla_days=body.sla_days
    )
    session.commit()
    return service.summary(p, repo.counts(session, [p.id], now)[p.id], settings.sla_days)
