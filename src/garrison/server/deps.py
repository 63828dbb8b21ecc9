"""FastAPI dependencies: the session, the caller, the clock. Endpoints commit writes explicitly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from garrison.server.auth.service import Principal, authenticate_token
from garrison.server.settings import Settings

bearer = HTTPBearer(auto_error=False, description="an API token from `garrison server create-token`")


def get_session(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def get_principal(
    session: Annotated[Session, Depends(get_session)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    principal = authenticate_token(session, creds.credentials if creds else None)
    session.rollback()  # end the read transaction: writers start their own (see db.lock_project)
    return principal


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_now(request: Request) -> dt.datetime:
    now: dt.datetime = request.app.state.clock()
    return now


def get_hook(request: Request) -> Any:
    return request.app.state.upload_hook


SessionDep = Annotated[Session, Depends(get_session)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
NowDep = Annotated[dt.datetime, Depends(get_now)]
