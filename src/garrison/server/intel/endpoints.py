"""/api/v1/intel: EPSS and CISA KEV imports (admin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from garrison.server.auth.service import require
from garrison.server.db import begin_write
from garrison.server.deps import PrincipalDep, SessionDep, SettingsDep
from garrison.server.intel import service
from garrison.server.scans.endpoints import read_limited

router = APIRouter(prefix="/api/v1/intel", tags=["prioritisation"])

BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}}
KEV_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}}


@router.post("/epss", openapi_extra=BODY)
async def import_epss(request: Request, session: SessionDep, principal: PrincipalDep, settings: SettingsDep) -> Any:
    """Replace the EPSS scores with a FIRST EPSS CSV file (plain or gzip)."""
    require(principal, "admin")
    raw = await read_limited(request, settings.max_upload_bytes)

    def apply() -> int:
        begin_write(session)
        n = service.import_epss(session, raw)
        session.commit()
        return n

    return {"imported": await run_in_threadpool(apply)}


@router.post("/kev", openapi_extra=KEV_BODY)
async def import_kev(request: Request, session: SessionDep, principal: PrincipalDep, settings: SettingsDep) -> Any:
    """Replace the CISA KEV catalog with known_exploited_vulnerabilities.json."""
    require(principal, "admin")
    raw = await read_limited(request, settings.max_upload_bytes)

    def apply() -> int:
        begin_write(session)
        n = service.import_kev(session, raw)
        session.commit()
        return n

    return {"imported": await run_in_threadpool(apply)}
