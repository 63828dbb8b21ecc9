"""The web UI end to end in real headless Chromium (Debian's chromium driven by Playwright), against a real
uvicorn server on 127.0.0.1 backed by SQLite: login, project list, project page with its chart, findings table
with filters, finding detail with history and a triage action; screenshots must show rendered pages."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from garrison.server.app import create_app
from garrison.server.auth.service import create_token, create_user
from garrison.server.db import transaction
from garrison.server.settings import Settings
from tests.browser import CHROMIUM, FLAGS, png_colours
from tests.server.conftest import FakeClock
from tests.server.reports import finding, report


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, Any]]:
    import shutil

    import httpx

    db = tmp_path / "ui.db"
    shutil.copyfile(sqlite_template, db)
    import datetime as dt

    clock = FakeClock(dt.datetime(2026, 3, 2, 9, 0))
    app = create_app(Settings(database_url=f"sqlite:///{db}", secret_key="ui-secret" * 4), clock=clock)
    with transaction(app.state.sessions) as s:
        create_user(s, name="alice", password="correct horse", role="writer")
        token = create_token(s, name="ci", role="writer")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    h = {"Authorization": f"Bearer {token}"}
    first = report(
        [
            finding("aws-key", "config.py", severity="critical"),
            finding("gh-pat", "ci.yml"),
            finding("slack", "notes.md", severity="low"),
        ]
    )
    httpx.post(f"{base}/api/v1/projects/web/scans", content=json.dumps(first), headers=h, params={"branch": "main"})
    clock.advance(days=9)  # the critical finding is now past its 7-day SLA
    second = report([finding("aws-key", "config.py", severity="critical"), finding("gh-pat", "ci.yml")])
    httpx.post(f"{base}/api/v1/projects/web/scans", content=json.dumps(second), headers=h, params={"branch": "main"})
    yield base, clock
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def page(live: tuple[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        # the UI must not reach anything but the server
        outside: list[str] = []
        pg.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live[0]) else None)
        yield pg
        assert outside == []
        browser.close()


def shot(page: Any, path: Path, *texts: str) -> None:
    from playwright.sync_api import expect

    for t in texts:
        expect(page.get_by_text(t, exact=False).first).to_be_visible()
    png = page.screenshot(path=str(path), full_page=True)
    assert png_colours(png) > 20, f"{path.name} looks blank"


def test_ui_login_projects_chart_findings_detail_and_triage(live: tuple[str, Any], page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    base, _clock = live
    page.goto(f"{base}/ui/")
    assert page.url.endswith("/ui/login")
    page.fill("#name", "alice")
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("wrong user name or password")
    page.fill("#name", "alice")
    page.fill("#password", "correct horse")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/ui/")
    shot(page, tmp_path / "projects.png", "Projects", "web")
    row = page.locator("table tbody tr").first
    expect(row).to_contain_text("web")
    expect(row.locator(".overdue")).to_have_text("1")  # one critical finding past its SLA
    expect(row.locator(".sev-critical")).to_have_text("1")

    page.click("text=web")
    shot(page, tmp_path / "project.png", "Open findings over time", "Recent scans")
    chart = page.locator("svg.chart")
    expect(chart).to_be_visible()
    assert chart.locator("circle").count() == 2  # one point per scan
    points = chart.locator("polyline").get_attribute("points") or ""
    assert len(points.split()) == 2

    page.click("text=Open findings")
    shot(page, tmp_path / "findings.png", "findings", "aws-key")
    expect(page.locator("#total")).to_have_text("2")
    page.select_option("#f-severity", "critical")
    page.click("text=Filter")
    expect(page.locator("#total")).to_have_text("1")
    expect(page.locator("#findings tbody tr")).to_have_count(1)
    expect(page.locator("#findings tbody tr").first).to_contain_text("overdue")

    page.locator("#findings tbody tr a").first.click()
    shot(page, tmp_path / "finding.png", "Why this priority", "History", "first seen on main")
    expect(page.locator("#status")).to_have_text("open")
    page.select_option("#t-status", "accepted_risk")
    page.fill("#t-reason", "rotated; old key is revoked")
    page.click("#triage button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("approver")  # validation error shown, nothing changed
    expect(page.locator("#status")).to_have_text("open")
    page.select_option("#t-status", "false_positive")
    page.fill("#t-reason", "test fixture, not a real key")
    page.click("#triage button[type=submit]")
    expect(page.locator("#status")).to_have_text("false_positive")
    expect(page.locator("#history tbody tr").last).to_contain_text("test fixture, not a real key")
    shot(page, tmp_path / "triaged.png", "false_positive", "user:alice")

    page.click("text=Log out")
    page.wait_for_url(f"{base}/ui/login")
    page.goto(f"{base}/ui/projects/web")
    assert page.url.endswith("/ui/login")


def test_ui_rejects_forged_cookies_and_csrf(live: tuple[str, Any]) -> None:
    import httpx

    base, _ = live
    with httpx.Client(base_url=base, cookies={"garrison_session": "Zm9yZ2Vk"}) as c:
        r = c.get("/ui/")
        assert r.status_code == 303 and r.headers["location"] == "/ui/login"
    with httpx.Client(base_url=base) as c:
        r = c.post("/ui/login", data={"name": "alice", "password": "correct horse"})
        assert r.status_code == 303
        r = c.post("/ui/findings/1/triage", data={"csrf": "wrong", "status": "false_positive", "reason": "x"})
        assert r.status_code == 403 and "invalid form token" in r.text


def test_ui_respects_project_scope_and_filters(app: Any, upload: Any, tokens: Any) -> None:
    from fastapi.testclient import TestClient

    upload(report([finding("r1", "a.py"), finding("r2", "b.py", severity="low")]))
    upload(report([finding("o1", "x.py")]), project="other", token=tokens.other)
    with transaction(app.state.sessions) as s:
        create_user(s, name="carol", password="long enough", role="reader", projects=["web"])
    with TestClient(app) as c:
        assert c.post("/ui/login", data={"name": "carol", "password": "long enough"}).status_code == 200
        r = c.get("/ui/")
        assert "web" in r.text and "other" not in r.text
        r = c.get("/ui/projects/other")
        assert r.status_code == 403 and "not allowed for project" in r.text
        r = c.get("/ui/projects/other/findings")
        assert r.status_code == 403
        r = c.get("/ui/findings/3")  # the finding of project "other"
        assert r.status_code == 404
        r = c.get("/ui/projects/web/findings", params={"path": "b.py", "branch": "main", "analyzer": "secrets"})
        assert r.status_code == 200 and '<span id="total">1</span>' in r.text
        r = c.get("/ui/projects/web/findings", params={"due_before": "yesterday"})
        assert r.status_code == 422 and "not a date" in r.text
        r = c.get("/ui/findings/1")
        assert r.status_code == 200 and 'id="triage"' not in r.text  # a reader gets no triage form
