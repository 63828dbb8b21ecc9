"""``garrison db update|import|status`` and ``scan --db`` through the real CLI entry point."""

from __future__ import annotations

import base64
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

REPO = Path(__file__).resolve().parents[2]
VENDORED = REPO / "examples" / "advisories"


def osv_zip(ids: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in ids:
            doc = {
                "id": i,
                "modified": "2024-01-01T00:00:00Z",
                "affected": [
                    {
                        "package": {"ecosystem": "crates.io", "name": "smallvec"},
                        "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.6.1"}]}],
                    }
                ],
            }
            zf.writestr(f"{i}.json", json.dumps(doc))
    return buf.getvalue()


@pytest.fixture
def osv_server() -> Iterator[tuple[str, dict[str, Any]]]:
    """A loopback HTTP server standing in for OSV's bucket (tests never reach the internet)."""
    state: dict[str, Any] = {"files": {}, "requests": []}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state["requests"].append(self.path)
            body = state["files"].get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
            self.send_header("x-goog-hash", f"crc32c=AAAAAA==,md5={md5}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


def test_import_then_status_then_scan(cli: Callable[..., Any], tmp_path: Path) -> None:
    db = tmp_path / "adv.db"
    r = cli("db", "import", str(VENDORED), "--db", str(db))
    assert r.code == 0, r.err
    assert "advisories imported" in r.err
    r = cli("db", "status", "--db", str(db), "--json")
    assert r.code == 0
    status = json.loads(r.out)
    assert status["ecosystems"][0]["ecosystem"] == "PyPI" and status["advisories"] > 100
    r = cli("db", "status", "--db", str(db))
    assert "PyPI" in r.out and "days old" in r.out
    out = tmp_path / "r.json"
    r = cli("scan", str(REPO / "examples" / "insecure-app"), "-a", "deps", "--db", str(db), "--no-progress",
            "--format", "json", "--output", str(out))  # fmt: skip
    assert r.code == 1  # the gate fails on the demo's vulnerabilities
    doc = json.loads(out.read_text())
    assert any(f["rule"]["id"] == "GHSA-562c-5r94-xh97" for f in doc["findings"])
    assert doc["metadata"]["deps"]["database"]["path"] == str(db.resolve())


def test_env_var_selects_the_database(cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "env.db"
    monkeypatch.setenv("GARRISON_DB", str(db))
    assert cli("db", "import", str(VENDORED / "pypi" / "flask")).code == 0
    assert db.is_file()
    monkeypatch.delenv("GARRISON_DB")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert cli("db", "import", str(VENDORED / "pypi" / "flask")).code == 0
    assert (tmp_path / "cache" / "garrison" / "advisories.db").is_file()


def test_bad_inputs_exit_2_with_one_line(cli: Callable[..., Any], tmp_path: Path) -> None:
    db = tmp_path / "adv.db"
    for args, message in [
        (("db", "import", str(tmp_path / "nope"), "--db", str(db)), "no such file or directory"),
        (("db", "status", "--db", str(tmp_path / "missing.db")), "advisory database not found"),
        (
            ("db", "update", "--ecosystem", "Debian", "--db", str(db), "--base-url", "http://127.0.0.1:9"),
            "unknown ecosystem",
        ),
    ]:
        r = cli(*args)
        assert r.code == 2, (args, r.err)
        assert message in r.err and r.err.count("\n") == 1 and "Traceback" not in r.err


def test_update_over_http_and_failures_keep_the_data(
    cli: Callable[..., Any], tmp_path: Path, osv_server: tuple[str, dict[str, Any]]
) -> None:
    base, state = osv_server
    state["files"]["/crates.io/all.zip"] = osv_zip(["RUSTSEC-2021-0003", "RUSTSEC-2018-0003"])
    db = tmp_path / "adv.db"
    r = cli("db", "update", "--ecosystem", "crates.io", "--base-url", base, "--db", str(db))
    assert r.code == 0, r.err
    assert state["requests"] == ["/crates.io/all.zip"]
    status = json.loads(cli("db", "status", "--db", str(db), "--json").out)
    assert status["ecosystems"][0]["advisories"] == 2 and status["ecosystems"][0]["source"].startswith(base)
    # a missing archive: exit 2, one line, nothing lost
    r = cli("db", "update", "--ecosystem", "npm", "--base-url", base, "--db", str(db))
    assert r.code == 2 and "HTTP 404; nothing imported" in r.err
    # a corrupted download
    state["files"]["/crates.io/all.zip"] = b"PK\x03\x04garbage"
    r = cli("db", "update", "--ecosystem", "crates.io", "--base-url", base, "--db", str(db))
    assert r.code == 2 and "not a valid zip archive" in r.err
    assert json.loads(cli("db", "status", "--db", str(db), "--json").out)["advisories"] == 2


def test_scan_formats_cyclonedx_and_spdx(cli: Callable[..., Any], tmp_path: Path) -> None:
    db = tmp_path / "adv.db"
    assert cli("db", "import", str(VENDORED), "--db", str(db)).code == 0
    cdx, spdx = tmp_path / "bom.cdx.json", tmp_path / "bom.spdx.json"
    r = cli("scan", str(REPO / "examples" / "insecure-app"), "-a", "deps", "--db", str(db), "--no-progress",
            "--format", f"cyclonedx={cdx}", "--format", f"spdx={spdx}", "--fail-on", "none")  # fmt: skip
    assert r.code == 0, r.err
    assert json.loads(cdx.read_text())["specVersion"] == "1.6"
    assert json.loads(spdx.read_text())["spdxVersion"] == "SPDX-2.3"
