"""/ui: the server-rendered web UI (Jinja2, inline CSS and SVG; no external requests, no JavaScript needed).

Users log in with a name and password (``garrison server create-user``); the session is an HMAC-signed cookie
and every form carries a CSRF token derived from it. The pages call the same services as the API.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from garrison.core.errors import GarrisonError
from garrison.core.severity import Severity
from garrison.server.auth import repository as auth_repo
from garrison.server.auth.service import (
    Principal,
    authenticate_token,
    login,
    make_session_cookie,
    principal_of,
    read_session_cookie,
)
from garrison.server.deps import NowDep, SessionDep, SettingsDep
from garrison.server.errors import Forbidden, Invalid, NotFound, Unauthorized
from garrison.server.findings import service as findings
from garrison.server.findings.endpoints import KINDS, parse_filters
from garrison.server.findings.lifecycle import Status, TriageRequest
from garrison.server.metrics import service as metrics
from garrison.server.projects import service as projects
from garrison.server.scans import service as scans
from garrison.server.settings import Settings
from garrison.server.ui.charts import line_chart

router = APIRouter(prefix="/ui", include_in_schema=False)
COOKIE = "garrison_session"
_env = Environment(loader=PackageLoader("garrison.server.ui", "templates"), autoescape=select_autoescape(["html"]))
SEVERITIES = [s.label for s in sorted(Severity, reverse=True)]


def render(name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    return HTMLResponse(_env.get_template(name).render(**ctx), status_code=status)


def who(request: Request, session: Any, settings: Settings) -> tuple[Principal, str] | None:
    """The logged-in user (principal, CSRF token) from the session cookie, or None."""
    got = read_session_cookie(settings.secret_key, request.cookies.get(COOKIE))
    if got is None:
        return None
    user = auth_repo.user_by_id(session, got[0])
    if user is None or user.disabled:
        return None
    return principal_of(user), got[1]


def authenticated(request: Request, session: Any, settings: Settings) -> Principal:
    """A bearer token or a UI session, else Unauthorized."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return authenticate_token(session, header[7:].strip())
    found = who(request, session, settings)
    if found is None:
        return authenticate_token(session, None)  # raises: authentication required
    return found[0]


def _login_redirect() -> RedirectResponse:
    return RedirectResponse("/ui/login", status_code=303)


def _error_page(exc: GarrisonError, me: tuple[Principal, str]) -> HTMLResponse:
    status = getattr(exc, "status", 400)
    return render("base.html", status, error=exc.message, user=me[0].name, csrf=me[1])


@router.get("/login")
def login_form() -> HTMLResponse:
    return render("login.html", user=None)


@router.post("/login")
def do_login(
    session: SessionDep,
    settings: SettingsDep,
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    try:
        user = login(session, name, password)
    except Unauthorized as exc:
        return render("login.html", 401, error=exc.message, user=None)
    resp = RedirectResponse("/ui/", status_code=303)
    resp.set_cookie(
        COOKIE,
        make_session_cookie(settings.secret_key, user.id),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=12 * 3600,
    )
    return resp


@router.post("/logout")
def do_logout() -> Response:
    resp = _login_redirect()
    resp.delete_cookie(COOKIE)
    return resp


@router.get("/")
def project_list(request: Request, session: SessionDep, settings: SettingsDep, now: NowDep) -> Response:
    me = who(request, session, settings)
    if me is None:
        return _login_redirect()
    items = projects.list_visible(session, me[0], now, settings.sla_days)
    return render("projects.html", projects=items, severities=SEVERITIES, user=me[0].name, csrf=me[1])


@router.get("/projects/{project}")
def project_page(project: str, request: Request, session: SessionDep, settings: SettingsDep, now: NowDep) -> Response:
    me = who(request, session, settings)
    if me is None:
        return _login_redirect()
    try:
        p = projects.get_visible(session, me[0], project)
    except (Forbidden, NotFound) as exc:
        return _error_page(exc, me)
    m = metrics.metrics(session, p, now)
    points = [(pt["at"][:10], pt["open"]) for pt in m["open_over_time"]]
    chart = line_chart(points, title=f"Open findings in {p.name} over time")
    return render(
        "project.html",
        project=p,
        m=m,
        chart=chart,
        scans=scans.list_scans(session, p, 20),
        user=me[0].name,
        csrf=me[1],
    )


def _date(value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"not a date (YYYY-MM-DD): {value[:20]!r}", field="due_before") from None


@router.get("/projects/{project}/findings")
def findings_page(project: str, request: Request, session: SessionDep, settings: SettingsDep, now: NowDep) -> Response:
    me = who(request, session, settings)
    if me is None:
        return _login_redirect()
    qp = request.query_params
    keys = ("status", "severity", "kind", "rule", "package", "analyzer", "branch", "path", "q", "overdue", "due_before")
    f = {k: qp.get(k, "") for k in keys}
    try:
        p = projects.get_visible(session, me[0], project)
        filters = parse_filters(
            status=[f["status"]] if f["status"] else None,
            severity=[f["severity"]] if f["severity"] else None,
            kind=[f["kind"]] if f["kind"] else None,
            rule=f["rule"] or None,
            package=f["package"] or None,
            analyzer=f["analyzer"] or None,
            branch=f["branch"] or None,
            path=f["path"] or None,
            overdue={"true": True, "false": False}.get(f["overdue"]),
            due_before=_date(f["due_before"]),
            q=f["q"] or None,
        )
        page = findings.list_findings(
            session, p, filters, sort="-severity", cursor=qp.get("cursor") or None, limit=100, now=now
        )
    except GarrisonError as exc:
        return _error_page(exc, me)
    next_query = urlencode({**{k: v for k, v in f.items() if v}, "cursor": page["next_cursor"] or ""})
    return render(
        "findings.html",
        project=p,
        page=page,
        f=f,
        kinds=list(KINDS),
        next_query=next_query,
        user=me[0].name,
        csrf=me[1],
    )


@router.get("/findings/{finding_id}")
def finding_page(
    finding_id: int, request: Request, session: SessionDep, settings: SettingsDep, now: NowDep
) -> Response:
    me = who(request, session, settings)
    if me is None:
        return _login_redirect()
    return _finding(session, me, finding_id, now)


def _finding(
    session: Any, me: tuple[Principal, str], finding_id: int, now: dt.datetime, error: str | None = None
) -> Response:
    try:
        row, p = findings.get_visible(session, me[0], finding_id)
    except NotFound as exc:
        return _error_page(exc, me)
    x = findings.detail(session, row, p, now)
    return render(
        "finding.html",
        422 if error else 200,
        x=x,
        history=findings.history(session, row),
        can_write=me[0].can("writer"),
        user=me[0].name,
        csrf=me[1],
        error=error,
    )


@router.post("/findings/{finding_id}/triage")
def finding_triage(
    finding_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    csrf: Annotated[str, Form()],
    status: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=5000)] = "",
    approver: Annotated[str, Form(max_length=200)] = "",
    expires: Annotated[str, Form()] = "",
    duplicate_of: Annotated[str, Form()] = "",
) -> Response:
    me = who(request, session, settings)
    if me is None:
        return _login_redirect()
    if not hmac.compare_digest(csrf, me[1]):
        return _error_page(Forbidden("invalid form token: reload the page and try again"), me)
    try:
        try:
            st = Status(status)
            exp = dt.date.fromisoformat(expires) if expires else None
            dup = int(duplicate_of) if duplicate_of.strip() else None
        except ValueError as exc:
            raise Invalid(f"invalid value: {exc}") from None
        row, p = findings.get_visible(session, me[0], finding_id, "writer")
        req = TriageRequest(status=st, reason=reason, approver=approver, expires=exp, duplicate_of=dup)
        findings.triage(session, me[0], [(row, p)], req, now)
        session.commit()
    except GarrisonError as exc:
        session.rollback()
        return _finding(session, me, finding_id, now, error=exc.message)
    return RedirectResponse(f"/ui/findings/{finding_id}", status_code=303)
