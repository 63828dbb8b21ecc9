"""``garrison rules update sigma`` against a local HTTP stub (never the internet)."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

RULE = (
    "title: chattr\nid: 4f3c1f4e-0000-4000-8000-000000000002\nlevel: medium\nlogsource:\n  product: linux\n"
    "  service: auditd\ndetection:\n  sel:\n    exe|endswith: /chattr\n  condition: sel\n"
)
LOGS = Path(__file__).resolve().parents[1] / "fixtures" / "detect" / "logs"


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("rules/linux/auditd/chattr.yml", RULE)
        zf.writestr("README.md", "release")
    return buf.getvalue()


@pytest.fixture
def stub() -> Iterator[tuple[str, dict[str, bytes]]]:
    files: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = files.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}", files
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.fixture(autouse=True)
def _dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GARRISON_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GARRISON_CACHE_DIR", str(tmp_path / "cache"))


def test_update_with_sha256_then_hunt_uses_installed_rules(
    cli: Callable[..., Any], stub: tuple[str, dict[str, bytes]], tmp_path: Path
) -> None:
    base, files = stub
    data = _zip()
    files["/sigma.zip"] = data
    res = cli("rules", "update", "sigma", "--url", base + "/sigma.zip", "--sha256", hashlib.sha256(data).hexdigest())
    assert res.code == 0, res.err
    assert "installed 1 Sigma rule files" in res.out
    assert (tmp_path / "data" / "sigma" / "current.json").is_file()
    hunt = cli("hunt", str(LOGS / "audit.log"), "--format", "jsonl")
    assert hunt.code == 0 and json.loads(hunt.out.splitlines()[0])["rule"]["title"] == "chattr"


def test_update_with_published_checksum(cli: Callable[..., Any], stub: tuple[str, dict[str, bytes]]) -> None:
    base, files = stub
    data = _zip()
    files["/sigma.zip"] = data
    files["/sigma.zip.sha256"] = f"{hashlib.sha256(data).hexdigest()}  sigma.zip\n".encode()
    assert cli("rules", "update", "sigma", "--url", base + "/sigma.zip").code == 0


def test_checksum_mismatch_installs_nothing_and_keeps_previous(
    cli: Callable[..., Any], stub: tuple[str, dict[str, bytes]], tmp_path: Path
) -> None:
    base, files = stub
    good = _zip()
    files["/sigma.zip"] = good
    assert (
        cli("rules", "update", "sigma", "--url", base + "/sigma.zip", "--sha256", hashlib.sha256(good).hexdigest()).code
        == 0
    )
    before = (tmp_path / "data" / "sigma" / "current.json").read_text()
    files["/sigma.zip"] = good + b"tampered"
    res = cli("rules", "update", "sigma", "--url", base + "/sigma.zip", "--sha256", hashlib.sha256(good).hexdigest())
    assert res.code == 2 and "checksum mismatch" in res.err and res.err.count("\n") == 1
    assert (tmp_path / "data" / "sigma" / "current.json").read_text() == before


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "HTTP 404"),
        ("nochecksum", "HTTP 404"),
        ("notzip", "not a zip archive"),
        ("empty", "no Sigma rule files"),
        ("badsha", "expected 64 hex digits"),
    ],
)
def test_update_failures_are_one_line(
    cli: Callable[..., Any], stub: tuple[str, dict[str, bytes]], setup: str, message: str
) -> None:
    base, files = stub
    args = ["rules", "update", "sigma", "--url", base + "/sigma.zip"]
    if setup == "notzip":
        files["/sigma.zip"] = b"<html>not found</html>"
        args += ["--sha256", hashlib.sha256(files["/sigma.zip"]).hexdigest()]
    elif setup == "empty":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("README.md", "x")
        files["/sigma.zip"] = buf.getvalue()
        args += ["--sha256", hashlib.sha256(files["/sigma.zip"]).hexdigest()]
    elif setup == "badsha":
        args += ["--sha256", "xyz"]
    elif setup == "missing":
        args += ["--sha256", "0" * 64]
    res = cli(*args)
    assert res.code == 2 and message in res.err and res.err.count("\n") == 1
