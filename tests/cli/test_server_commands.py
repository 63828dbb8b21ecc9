"""`garrison server …`, `garrison push`, `garrison scan --push`, `garrison serve` argument errors."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import CliResult


@pytest.fixture
def db_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'data' / 'garrison.db'}"
    monkeypatch.setenv("GARRISON_DATABASE_URL", url)
    monkeypatch.setenv("GARRISON_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GARRISON_SECRET_KEY", raising=False)
    monkeypatch.delenv("GARRISON_TOKEN", raising=False)
    monkeypatch.delenv("GARRISON_SERVER", raising=False)
    return url


@pytest.fixture
def served(db_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The app on the same database, reachable by `garrison push` through the httpx transport seam."""
    from fastapi.testclient import TestClient

    from garrison.cli import push
    from garrison.server.app import create_app
    from garrison.server.settings import Settings

    app = create_app(Settings(database_url=db_env, secret_key="k" * 32))
    with TestClient(app) as tc:

        def forward(request: httpx.Request) -> httpx.Response:
            r = tc.request(request.method, str(request.url), content=request.content, headers=dict(request.headers))
            return httpx.Response(r.status_code, content=r.content, headers=r.headers)

        monkeypatch.setattr(push, "TRANSPORT", httpx.MockTransport(forward))
        yield tc


def test_create_token_prints_only_the_token(cli: Callable[..., CliResult], db_env: str) -> None:
    r = cli("server", "create-token", "--name", "ci", "--role", "writer", "--project", "web")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("gar_") and len(lines[0]) > 40
    with pytest.raises(SystemExit) as e:
        cli("server", "create-token", "--name", "ci", "--role", "boss")
    assert e.value.code == 2


def test_migrate_is_idempotent(cli: Callable[..., CliResult], db_env: str) -> None:
    r = cli("server", "migrate")
    assert r.code == 0 and "database created" in r.err
    r = cli("server", "migrate")
    assert r.code == 0 and "up to date" in r.err


def test_create_user(cli: Callable[..., CliResult], db_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GARRISON_PASSWORD", "correct horse battery")
    assert cli("server", "create-user", "--name", "alice", "--role", "admin").code == 0
    r = cli("server", "create-user", "--name", "alice", "--role", "admin")
    assert r.code == 2 and "exists" in r.err and r.err.count("\n") == 1
    monkeypatch.setenv("GARRISON_PASSWORD", "short")
    r = cli("server", "create-user", "--name", "bob", "--role", "reader")
    assert r.code == 2 and "at least 8" in r.err
    monkeypatch.delenv("GARRISON_PASSWORD")
    monkeypatch.setattr("sys.stdin", open("/dev/null"))  # noqa: SIM115
    r = cli("server", "create-user", "--name", "bob", "--role", "reader")
    assert r.code == 2 and "GARRISON_PASSWORD" in r.err


def test_import_epss_and_kev(cli: Callable[..., CliResult], db_env: str, tmp_path: Path) -> None:
    import gzip

    epss = tmp_path / "epss.csv.gz"
    epss.write_bytes(
        gzip.compress(
            b"#model_version:v1,score_date:2026-03-01T00:00:00+0000\ncve,epss,percentile\n"
            b"CVE-2024-0001,0.5,0.9\nCVE-2024-0002,0.01,0.2\n"
        )
    )
    r = cli("server", "import-epss", str(epss))
    assert r.code == 0 and "imported 2 EPSS scores" in r.err
    kev = tmp_path / "kev.json"
    kev.write_text(json.dumps({"vulnerabilities": [{"cveID": "CVE-2024-0001", "dateAdded": "2024-01-02"}]}))
    r = cli("server", "import-kev", str(kev))
    assert r.code == 0 and "imported 1 KEV entries" in r.err
    kev.write_text(json.dumps({"vulnerabilities": [{"cveID": "nope"}]}))
    r = cli("server", "import-kev", str(kev))
    assert r.code == 2 and "vulnerabilities[0].cveID" in r.err and r.err.count("\n") == 1
    r = cli("server", "import-epss", str(tmp_path / "missing.csv"))
    assert r.code == 2 and "missing.csv" in r.err


def test_push_and_scan_push(cli: Callable[..., CliResult], served: Any, tmp_path: Path, corpus: Path) -> None:
    token = cli("server", "create-token", "--name", "ci", "--role", "writer", "--project", "web").out.strip()
    sarif = corpus / "scan-reports/sarif/flawfinder.sarif"
    r = cli(
        "push",
        str(sarif),
        "--project",
        "web",
        "--server",
        "http://garrison.test",
        "--token",
        token,
        "--branch",
        "main",
        "--commit",
        "abc123",
    )
    assert r.code == 0, r.err
    assert "54 new" in r.err and "scan 1" in r.err
    r = cli(
        "push", str(sarif), "--project", "web", "--server", "http://garrison.test", "--token", token, "--branch", "main"
    )
    assert r.code == 0 and "0 new, 0 fixed, 0 reopened, 0 updated, 54 unchanged" in r.err
    # scan --push: a real scan of a directory, uploaded as a Garrison report
    proj = tmp_path / "proj"
    (proj / "deploy").mkdir(parents=True)
    (proj / "deploy" / "id_rsa").write_text(
        "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n"
    )
    r = cli(
        "scan",
        str(proj),
        "--no-progress",
        "--format",
        "json",
        "--output",
        str(tmp_path / "r.json"),
        "--push",
        "--project",
        "web",
        "--server",
        "http://garrison.test",
        "--token",
        token,
        "--branch",
        "dev",
    )
    assert r.code in (0, 1), r.err
    assert "pushed to web" in r.err and "branch dev" in r.err
    scans = served.get("/api/v1/projects/web/scans", headers={"Authorization": f"Bearer {token}"}).json()
    assert [s["format"] for s in scans["items"]] == ["garrison", "sarif", "sarif"]
    assert scans["items"][-1]["commit"] == "abc123"


def test_push_errors_are_one_line_exit_2(cli: Callable[..., CliResult], served: Any, tmp_path: Path) -> None:
    token = cli("server", "create-token", "--name", "ci", "--role", "writer", "--project", "web").out.strip()
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "garrison-report", "schema_version": "1.0", "tool": {}, "target": {}, "findings": [{}]}')
    r = cli("push", str(bad), "--project", "web", "--server", "http://garrison.test", "--token", token)
    assert r.code == 2 and "server refused the upload (422)" in r.err and "findings[0]" in r.err
    assert r.err.count("\n") == 1
    r = cli("push", str(bad), "--project", "web", "--server", "http://garrison.test", "--token", "gar_wrong")
    assert r.code == 2 and "(401)" in r.err
    r = cli("push", str(bad), "--project", "web", "--server", "http://garrison.test")
    assert r.code == 2 and "no token" in r.err
    r = cli("push", str(tmp_path / "none.json"), "--project", "web", "--server", "http://x", "--token", token)
    assert r.code == 2 and "none.json" in r.err
    r = cli("push", str(bad), "--project", "web", "--server", "ftp://x", "--token", token)
    assert r.code == 2 and "http(s) URL" in r.err
    r = cli("scan", str(tmp_path), "--push")
    assert r.code == 2 and "--push needs --project" in r.err


def test_push_unreachable_server(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from garrison.cli import push

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    monkeypatch.setattr(push, "TRANSPORT", httpx.MockTransport(refuse))
    f = tmp_path / "r.json"
    f.write_text("{}")
    r = cli("push", str(f), "--project", "web", "--server", "http://127.0.0.1:9", "--token", "t")
    assert r.code == 2 and "cannot reach http://127.0.0.1:9" in r.err


def test_serve_refuses_without_a_secret_key(cli: Callable[..., CliResult], db_env: str) -> None:
    r = cli("serve", "--port", "0")
    assert r.code == 2
    r = cli("serve")
    assert r.code == 2 and "GARRISON_SECRET_KEY" in r.err and "--dev" in r.err


def test_bad_database_url(cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GARRISON_DATABASE_URL", "mysql://x/y")
    r = cli("server", "migrate")
    assert r.code == 2 and "unsupported database 'mysql'" in r.err


def test_serve_starts_migrates_and_answers(tmp_path: Path) -> None:
    """`garrison serve` as a real process: a new database is migrated on start and /healthz answers."""
    import os
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "GARRISON_DATA_DIR": str(tmp_path), "GARRISON_SECRET_KEY": "k" * 32}
    env.pop("GARRISON_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "garrison", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        body = None
        for _ in range(150):
            try:
                body = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json()
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert body is not None and body["status"] == "ok"
        assert (tmp_path / "garrison.db").is_file()
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/projects", timeout=5).status_code == 401
    finally:
        proc.terminate()
        proc.wait(10)
