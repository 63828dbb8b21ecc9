"""Projects: lookup with authorization, creation, settings (owners, tags, SLA)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from garrison.core.errors import ConfigError
from garrison.core.severity import Severity
from garrison.server.auth.service import Principal, require
from garrison.server.clock import iso
from garrison.server.errors import Conflict, Forbidden, Invalid, NotFound
from garrison.server.findings.lifecycle import due_at
from garrison.server.models import Project
from garrison.server.projects import repository as repo
from garrison.server.settings import validate_sla

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@:+-]{0,199}$")


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise Invalid(
            "a project name is 1–200 characters: letters, digits and . _ @ : + - (starting with a letter or digit)",
            field="project",
        )
    return name


def get_visible(session: Session, principal: Principal, name: str, role: str = "reader") -> Project:
    """The project, if it exists and the caller may use it with ``role``."""
    require(principal, role, name)
    project = repo.by_name(session, name)
    if project is None:
        raise NotFound(f"no project {name!r}")
    return project


def may_create(principal: Principal, name: str) -> bool:
    """Admins may; writers may create projects their token is scoped to (or any, if unscoped)."""
    return principal.can("admin") or (principal.can("writer") and principal.may_see(name))


def create(
    session: Session,
    principal: Principal,
    *,
    name: str,
    now: dt.datetime,
    owners: Sequence[str] = (),
    tags: Sequence[str] = (),
    sla_days: Mapping[str, Any] | None = None,
) -> Project:
    check_name(name)
    if not may_create(principal, name):
        raise Forbidden(f"not allowed to create project {name!r}")
    if repo.by_name(session, name) is not None:
        raise Conflict(f"project {name!r} exists")
    return repo.add(
        session,
        Project(
            name=name,
            owners=[str(o)[:200] for o in owners],
            tags=[str(t)[:100] for t in tags],
            sla_days=_sla(sla_days) if sla_days is not None else None,
            created_at=now,
            lock_version=0,
        ),
    )


def _sla(raw: Mapping[str, Any]) -> dict[str, int]:
    try:
        return validate_sla(raw, where="sla_days")
    except ConfigError as exc:
        raise Invalid(exc.message, field=exc.field or "sla_days") from None


def sla_of(project: Project, defaults: Mapping[str, int]) -> dict[str, int]:
    return {**defaults, **(project.sla_days or {})}


def update_settings(
    session: Session,
    project: Project,
    *,
    defaults: Mapping[str, int],
    owners: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    sla_days: Mapping[str, Any] | None = None,
) -> Project:
    if owners is not None:
        project.owners = [str(o)[:200] for o in owners]
    if tags is not None:
        project.tags = [str(t)[:100] for t in tags]
    if sla_days is not None:
        project.sla_days = _sla(sla_days)
        sla = sla_of(project, defaults)
        # due dates follow the policy
        rows = repo.finding_ages(session, project.id)
        repo.set_due_dates(session, {fid: due_for(first, sev, sla) for fid, first, sev in rows})
    session.flush()
    return project


def summary(project: Project, counts: Mapping[str, Any], defaults: Mapping[str, int]) -> dict[str, Any]:
    open_counts = {s.label: int(counts.get("open", {}).get(int(s), 0)) for s in sorted(Severity, reverse=True)}
    return {
        "name": project.name,
        "owners": list(project.owners or []),
        "tags": list(project.tags or []),
        "sla_days": sla_of(project, defaults),
        "created_at": iso(project.created_at),
        "open": open_counts,
        "overdue": int(counts.get("overdue", 0)),
    }


def list_visible(session: Session, principal: Principal, now: dt.datetime, defaults: Mapping[str, int]) -> list[Any]:
    projects = repo.list_all(session, sorted(principal.projects) if principal.projects is not None else None)
    c = repo.counts(session, [p.id for p in projects], now)
    return [summary(p, c[p.id], defaults) for p in projects]


def due_for(first_seen: dt.datetime, severity: int, sla: Mapping[str, int]) -> dt.datetime:
    return due_at(first_seen, Severity(severity).label, sla)
