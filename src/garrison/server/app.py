"""The FastAPI application factory: routers, the one error handler, startup (schema, risk expiry)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine, text
from sqlalchemy.exc import DataError

from garrison import __version__
from garrison.core.errors import GarrisonError, InputError
from garrison.server.clock import Clock, utcnow
from garrison.server.db import begin_write, ensure_schema, make_engine, session_factory, transaction
from garrison.server.errors import ServiceError
from garrison.server.settings import Settings

log = logging.getLogger("garrison.server")
EXPIRY_INTERVAL = 3600.0


def error_response(exc: GarrisonError) -> JSONResponse:
    status = exc.status if isinstance(exc, ServiceError) else 422 if isinstance(exc, InputError) else 500
    body: dict[str, Any] = {"error": exc.message}
    field = getattr(exc, "field", None)
    if field:
        body["field"] = field
    return JSONResponse(body, status_code=status)


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    clock: Clock = utcnow,
    prepare_schema: bool = True,
    background: bool = False,
) -> FastAPI:
    engine = engine or make_engine(settings.database_url)
    if prepare_schema:
        ensure_schema(engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_expiry_loop(app)) if background else None
        yield
        if task is not None:
            task.cancel()

    app = FastAPI(
        title="Garrison vulnerability management",
        version=__version__,
        description="Findings tracked over time: lifecycle, SLA, prioritisation. Authenticate with "
        "`Authorization: Bearer <token>` (create one with `garrison server create-token`).",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's Swagger/ReDoc pages load scripts from a CDN: the service stays offline
        redoc_url=None,
        openapi_url=None,  # served below, behind authentication like every route but /healthz
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.clock = clock
    app.state.upload_hook = None

    @app.exception_handler(GarrisonError)
    async def on_error(_request: Request, exc: GarrisonError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(DataError)
    @app.exception_handler(UnicodeEncodeError)
    async def on_unstorable(_request: Request, _exc: Exception) -> JSONResponse:
        # e.g. a NUL character in a query parameter or a field: PostgreSQL text cannot hold it
        return JSONResponse(
            {"error": "a value in the request cannot be stored or searched (NUL or invalid text)"}, status_code=422
        )

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness and database check; the only route without authentication."""
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    from garrison.server.findings.endpoints import router as findings_router
    from garrison.server.intel.endpoints import router as intel_router
    from garrison.server.metrics.endpoints import router as metrics_router
    from garrison.server.projects.endpoints import router as projects_router
    from garrison.server.scans.endpoints import router as scans_router
    from garrison.server.ui.endpoints import router as ui_router

    for r in (projects_router, scans_router, findings_router, metrics_router, intel_router, ui_router):
        app.include_router(r)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document(request: Request) -> Response:
        """The OpenAPI document, for a bearer token or a logged-in UI session."""
        from garrison.server.ui.endpoints import authenticated

        with transaction(app.state.sessions) as session:
            authenticated(request, session, settings)
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        """Human-readable API reference rendered from the OpenAPI document (no external scripts)."""
        from garrison.server.ui.endpoints import render, who

        with transaction(app.state.sessions) as session:
            caller = who(request, session, settings)
        if caller is None:
            return Response(status_code=303, headers={"location": "/ui/login"})
        return render("apidocs.html", spec=app.openapi(), user=caller[0].name, csrf=caller[1])

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return Response(status_code=307, headers={"location": "/ui/"})

    return app


async def _expiry_loop(app: FastAPI) -> None:
    while True:
        try:
            await asyncio.to_thread(_expire_once, app)
        except Exception:  # keep the loop alive; the next upload expires risks too
            log.exception("accepted-risk expiry failed")
        await asyncio.sleep(EXPIRY_INTERVAL)


def _expire_once(app: FastAPI) -> int:
    from garrison.server.findings.service import expire_risks

    with transaction(app.state.sessions) as session:
        begin_write(session)
        return expire_risks(session, app.state.clock())
