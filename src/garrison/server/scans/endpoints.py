"""/api/v1/projects/{project}/scans: upload a Garrison JSON report or a SARIF 2.1.0 log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from garrison.server.deps import NowDep, PrincipalDep, SessionDep, SettingsDep
from garrison.server.errors import TooLarge
from garrison.server.projects import service as projects
from garrison.server.scans import service
from garrison.server.scans.ingest import build_upload

router = APIRouter(prefix="/api/v1/projects/{project}/scans", tags=["scans"])

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "A Garrison JSON report (`garrison scan --format json`) or a SARIF 2.1.0 log from any tool.",
        "content": {
            "application/json": {"schema": {"type": "object", "additionalProperties": True}},
            "application/sarif+json": {"schema": {"type": "object", "additionalProperties": True}},
        },
    }
}


async def read_limited(request: Request, limit: int) -> bytes:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise TooLarge(f"body of {int(length)} bytes exceeds the limit of {limit} bytes (GARRISON_MAX_UPLOAD_MB)")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"body exceeds the limit of {limit} bytes (GARRISON_MAX_UPLOAD_MB)")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("", status_code=201, openapi_extra=UPLOAD_BODY)
async def upload_scan(
    project: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    now: NowDep,
    branch: Annotated[str, Query(max_length=250, description="the scope's branch")] = "default",
    commit: Annotated[str, Query(max_length=100)] = "",
    partial: Annotated[bool, Query(description="a partial scan never closes findings")] = False,
    tool: Annotated[str | None, Query(max_length=200)] = None,
) -> Any:
    """Store a scan: new findings open, absent ones (same branch, same analyzers, full scan) are fixed, seen-again
    ones reopen, changed fields are updated and recorded. Creates the project if the token may."""
    projects.check_name(project)
    raw = await read_limited(request, settings.max_upload_bytes)
    up = await run_in_threadpool(build_upload, raw, branch=branch, commit=commit, partial=partial, tool=tool)

    def apply() -> dict[str, Any]:
        result = service.upload(
            session,
            principal,
            project,
            up,
            now=now,
            sla_defaults=settings.sla_days,
            hook=request.app.state.upload_hook or service.no_hook,
        )
        session.commit()
        return result

    return await run_in_threadpool(apply)


@router.get("")
def list_scans(project: str, session: SessionDep, principal: PrincipalDep) -> Any:
    p = projects.get_visible(session, principal, project)
    return {"items": service.list_scans(session, p), "total": service.count_scans(session, p)}
