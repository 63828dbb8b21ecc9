"""Every route requires a valid token (except /healthz) and respects the token's role and project scope."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.server.conftest import Tokens, bearer
from tests.server.reports import finding, report


def api_routes(app: Any) -> list[tuple[str, str]]:
    """Every operation in the OpenAPI document under /api/ (the UI is not in it)."""
    out = []
    for path, ops in app.openapi()["paths"].items():
        if path.startswith("/api/"):
            out += [(m.upper(), path) for m in ops if m in ("get", "post", "put", "patch", "delete")]
    return sorted(out)


def concrete(path: str, project: str = "web", finding_id: int = 1) -> str:
    return path.replace("{project}", project).replace("{finding_id}", str(finding_id))


def test_every_api_route_is_listed(app: Any) -> None:
    routes = api_routes(app)
    assert ("POST", "/api/v1/projects/{project}/scans") in routes
    assert ("GET", "/api/v1/projects/{project}/findings") in routes
    assert ("GET", "/api/v1/findings/{finding_id}") in routes
    assert ("GET", "/api/v1/findings/{finding_id}/history") in routes
    assert ("GET", "/api/v1/projects/{project}/metrics") in routes
    assert len(routes) >= 12


@pytest.mark.parametrize("header", [None, "Bearer nope", "Bearer ", "Basic dXNlcjpwYXNz", "gar_token-without-scheme"])
def test_every_route_rejects_missing_or_invalid_tokens(app: Any, client: Any, upload: Any, header: str | None) -> None:
    upload(report([finding("r1", "a.py")]))
    for method, path in api_routes(app):
        headers = {"Authorization": header} if header else {}
        r = client.request(method, concrete(path), headers=headers, json={})
        assert r.status_code in (401, 403), (method, path, r.status_code, r.text)
        assert "error" in r.json() or "detail" in r.json()


def test_revoked_token_is_rejected(app: Any, client: Any, tokens: Tokens) -> None:
    from sqlalchemy import update

    from garrison.server.db import transaction
    from garrison.server.models import ApiToken

    with transaction(app.state.sessions) as s:
        s.execute(update(ApiToken).where(ApiToken.name == "dash").values(revoked=True))
    r = client.get("/api/v1/projects", headers=bearer(tokens.reader))
    assert r.status_code == 401 and r.json()["error"] == "invalid or revoked token"


def test_healthz_needs_no_token(client: Any) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_every_project_route_rejects_out_of_scope_projects(app: Any, client: Any, upload: Any, tokens: Tokens) -> None:
    upload(report([finding("o1", "x.py")]), project="other", token=tokens.other)
    other_id = client.get("/api/v1/projects/other/findings", headers=bearer(tokens.other)).json()["items"][0]["id"]
    checked = 0
    for method, path in api_routes(app):
        if "{project}" not in path and "{finding_id}" not in path:
            continue
        body: dict[str, Any] = {}
        if path.endswith("/triage"):
            body = {"status": "false_positive", "reason": "x", "ids": [other_id]}
        elif path.endswith("/scans"):
            body = report([finding("o2", "y.py")])
        r = client.request(method, concrete(path, "other", other_id), headers=bearer(tokens.writer), json=body)
        assert r.status_code in (403, 404), (method, path, r.status_code, r.text)
        checked += 1
    assert checked >= 8
    # listing shows only projects in scope
    names = [p["name"] for p in client.get("/api/v1/projects", headers=bearer(tokens.writer)).json()["items"]]
    assert names == []
    names = [p["name"] for p in client.get("/api/v1/projects", headers=bearer(tokens.admin)).json()["items"]]
    assert names == ["other"]


def test_reader_cannot_write_and_writer_cannot_administer(client: Any, upload: Any, tokens: Tokens) -> None:
    upload(report([finding("r1", "a.py")]))
    fid = client.get("/api/v1/projects/web/findings", headers=bearer(tokens.reader)).json()["items"][0]["id"]
    body = {"status": "false_positive", "reason": "test data"}
    assert client.post(f"/api/v1/findings/{fid}/triage", json=body, headers=bearer(tokens.reader)).status_code == 403
    assert client.post(f"/api/v1/findings/{fid}/triage", json=body, headers=bearer(tokens.writer)).status_code == 200
    r = client.patch("/api/v1/projects/web", json={"owners": ["x"]}, headers=bearer(tokens.writer))
    assert r.status_code == 403
    r = client.post("/api/v1/intel/kev", content=b"{}", headers=bearer(tokens.writer))
    assert r.status_code == 403
    r = client.post("/api/v1/projects", json={"name": "new"}, headers=bearer(tokens.reader))
    assert r.status_code == 403
    r = client.post("/api/v1/projects", json={"name": "new"}, headers=bearer(tokens.writer))
    assert r.status_code == 403  # scoped to other projects
    r = client.post("/api/v1/projects", json={"name": "new", "owners": ["team-a"]}, headers=bearer(tokens.admin))
    assert r.status_code == 201 and r.json()["owners"] == ["team-a"]


def test_api_docs_page_is_self_contained_and_behind_login(client: Any, app: Any, tokens: Tokens) -> None:
    from garrison.server.auth.service import create_user
    from garrison.server.db import transaction

    assert client.get("/openapi.json").status_code == 401
    assert client.get("/openapi.json", headers=bearer("gar_nope")).status_code == 401
    assert client.get("/openapi.json", headers=bearer(tokens.reader)).json()["openapi"].startswith("3.")
    r = client.get("/docs", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/login"
    with transaction(app.state.sessions) as s:
        create_user(s, name="bob", password="long enough", role="reader")
    assert client.post("/ui/login", data={"name": "bob", "password": "long enough"}).status_code == 200
    r = client.get("/docs")
    assert r.status_code == 200 and "/api/v1/projects/{project}/scans" in r.text
    assert "https://" not in r.text and "<script" not in r.text
    assert client.get("/openapi.json").status_code == 200  # the session works for the document too
    assert client.get("/redoc").status_code == 404


def test_nul_characters_in_parameters_and_fields_are_4xx(client: Any, upload: Any, tokens: Tokens) -> None:
    upload(report([finding("r1", "a.py")]))
    h = bearer(tokens.writer)
    for param in ("rule", "package", "path", "q", "branch", "analyzer"):
        r = client.get("/api/v1/projects/web/findings", params={param: "a\x00b"}, headers=h)
        assert r.status_code < 500, (param, r.status_code, r.text)
    r = client.post("/api/v1/findings/1/triage", json={"status": "false_positive", "reason": "x\x00y"}, headers=h)
    assert r.status_code < 500, r.text
    r = client.post(
        "/api/v1/projects/web/scans", content=json.dumps(report([])).encode(), params={"branch": "a\x00b"}, headers=h
    )
    assert r.status_code < 500, r.text
