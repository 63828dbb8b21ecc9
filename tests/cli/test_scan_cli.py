"""`garrison scan` end to end: outputs, exit codes, gate, waivers, baseline, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.schemas import assert_valid_report, assert_valid_sarif

PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "deploy").mkdir(parents=True)
    (root / "deploy" / "id_rsa").write_text(PEM)  # high
    (root / ".env").write_text("DB_PASSWORD=hunter2\n")  # medium
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("print('hello')\n")
    return root


def test_table_and_exit_code_1_on_high(cli, project):
    r = cli("scan", str(project), "--no-progress")
    assert r.code == 1
    assert "secrets.private-key-rsa" in r.out
    assert "gate FAILED (1 finding)" in r.out


def test_fail_on_critical_passes(cli, project):
    r = cli("scan", str(project), "--fail-on", "critical")
    assert r.code == 0
    assert "gate passed" in r.out


def test_condition_can_fail_the_gate(cli, project):
    r = cli("scan", str(project), "--fail-on", "none", "--condition", 'finding.rule.id == "files.dotenv"')
    assert r.code == 1


def test_all_formats_to_files(cli, project, tmp_path):
    out = tmp_path / "out"
    r = cli(
        "scan", str(project),
        "--format", "json", "--output", str(out / "r.json"),
        "--format", f"sarif={out / 'r.sarif'}",
        "--format", "junit", "-o", str(out / "r.xml"),
        "--format", "markdown", "-o", str(out / "r.md"),
        "-o", str(out / "r.html"),
    )  # fmt: skip
    assert r.code == 1
    assert r.out == ""
    assert "wrote html report" in r.err
    assert_valid_report(json.loads((out / "r.json").read_text()))
    assert_valid_sarif(json.loads((out / "r.sarif").read_text()))
    assert (out / "r.xml").read_text().startswith("<?xml")
    assert (out / "r.md").read_text().startswith("## Garrison")
    assert "<!DOCTYPE html>" in (out / "r.html").read_text()


def test_json_and_sarif_are_byte_identical_across_runs(cli, project, tmp_path):
    for n in (1, 2):
        cli("scan", str(project), "-f", f"json={tmp_path / f'{n}.json'}", "-f", f"sarif={tmp_path / f'{n}.sarif'}")
    assert (tmp_path / "1.json").read_bytes() == (tmp_path / "2.json").read_bytes()
    assert (tmp_path / "1.sarif").read_bytes() == (tmp_path / "2.sarif").read_bytes()


def test_waivers_file_is_picked_up_by_default(cli, project):
    (project / ".garrison").mkdir()
    (project / ".garrison" / "waivers.yaml").write_text(
        "waivers:\n  - id: demo-key\n    rule: secrets.private-key-rsa\n    path: deploy/\n"
        "    reason: throwaway demo key\n    owner: sec@example.com\n    expires: 2999-01-01\n"
    )
    r = cli("scan", str(project), "-f", "json")
    doc = json.loads(r.out)
    assert r.code == 0
    assert [s["suppression"]["source"] for s in doc["suppressed"]] == ["demo-key"]
    assert doc["summary"]["suppressed"] == 1


def test_expired_waiver_fails_again_and_is_reported(cli, project):
    (project / ".garrison").mkdir()
    (project / ".garrison" / "waivers.yaml").write_text(
        "waivers:\n  - id: old\n    rule: secrets.private-key-rsa\n    reason: r\n    owner: o\n    expires: 2000-01-01\n"
    )
    r = cli("scan", str(project), "-f", "json")
    doc = json.loads(r.out)
    assert r.code == 1
    assert "policy.waiver-expired" in {f["rule"]["id"] for f in doc["findings"]}
    assert any("expired on 2000-01-01" in w for w in doc["warnings"])


def test_baseline_create_then_only_new_findings_fail(cli, project):
    r = cli("baseline", "create", str(project))
    assert r.code == 0
    baseline = project / ".garrison" / "baseline.json"
    assert baseline.is_file()
    assert cli("scan", str(project), "--baseline", str(baseline)).code == 0
    # moving the key file's content down does not matter; a new key does
    (project / "deploy" / "id_rsa").write_text("\n\n" + PEM)
    assert cli("scan", str(project), "--baseline", str(baseline)).code == 0
    (project / "ops").mkdir()
    (project / "ops" / "id_ed25519").write_text(PEM)
    r = cli("scan", str(project), "--baseline", str(baseline), "-f", "json")
    assert r.code == 1
    assert [f["location"]["path"] for f in json.loads(r.out)["findings"]] == ["ops/id_ed25519"]


def test_config_file_is_used(cli, project):
    (project / "garrison.toml").write_text('[gate]\nfail_on = "critical"\n[scan]\nexclude = ["deploy/"]\n')
    r = cli("scan", str(project), "-f", "json")
    doc = json.loads(r.out)
    assert r.code == 0
    assert [f["rule"]["id"] for f in doc["findings"]] == ["files.dotenv"]


@pytest.mark.parametrize(
    ("args", "setup", "message"),
    [
        (["scan", "{root}/missing"], None, "{root}/missing: no such file or directory"),
        (["scan", "{root}", "--format", "pdf"], None, "unknown format 'pdf'"),
        (["scan", "{root}", "--analyzer", "nope"], None, "unknown analyzer 'nope'"),
        (["scan", "{root}", "--fail-on", "urgent"], None, "--fail-on: unknown severity 'urgent'"),
        (["scan", "{root}", "--condition", "finding.severity >"], None, "--condition: invalid CEL expression"),
        (["scan", "{root}"], ("garrison.toml", b"[scan]\nexlude=[]\n"), "garrison.toml: scan.exlude: unknown key"),
        (["scan", "{root}"], ("garrison.toml", b"[scan\n"), "garrison.toml: invalid TOML"),
        (["scan", "{root}"], ("garrison.toml", b"[gate]\nfail_on='\xff'\n"), "garrison.toml: not valid UTF-8"),
        (["scan", "{root}"], ("garrison.toml", b"[analyzers.nope]\n"), "analyzers.nope: no such analyzer"),
        (
            ["scan", "{root}"],
            (".garrison/waivers.yaml", b"waivers:\n  - rule: x\n"),
            "waivers.yaml: waivers[0].reason: is required",
        ),
        (["scan", "{root}", "--waivers", "{root}/nope.yaml"], None, "nope.yaml: file not found"),
        (["scan", "{root}", "--baseline", "{root}/b.json"], ("b.json", b"{oops"), "b.json: invalid JSON at line 1"),
        (["scan", "{root}", "--config", "{root}"], None, "is a directory, expected a TOML file"),
        (["scan", "{root}", "--jobs", "-2"], None, "--jobs: must be ≥ 0"),
        (["scan", "{root}", "--bogus"], None, "unrecognized arguments: --bogus"),
        (["init", "{root}"], ("garrison.toml", b""), "already exists (use --force to overwrite)"),
        (["rules", "list", "--analyzer", "nope"], None, "unknown analyzer 'nope'"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, args, setup, message):
    root = tmp_path / "p"
    root.mkdir()
    (root / "a.txt").write_text("x")
    if setup:
        target = root / setup[0]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(setup[1])
    argv = [a.format(root=root) for a in args]
    proc = subprocess.run([sys.executable, "-m", "garrison", *argv], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert message.format(root=root) in lines[0]


def test_unreadable_config_is_exit_2(cli, project, monkeypatch):
    cfg = project / "garrison.toml"
    cfg.write_text("")
    real = Path.read_bytes

    def deny(self: Path) -> bytes:
        if self.name == "garrison.toml":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    r = cli("scan", str(project))
    assert r.code == 2
    assert "garrison.toml: cannot read: Permission denied" in r.err


def test_invalid_utf8_source_file_is_recorded_and_scan_continues(cli, project):
    (project / ".env.local").write_bytes(b"A=\xff\xfe\n")
    r = cli("scan", str(project), "-f", "json")
    doc = json.loads(r.out)
    assert r.code == 1  # the private key still fails the gate
    assert ".env.local" in {f["location"]["path"] for f in doc["findings"]}


def test_internal_analyzer_failure_is_exit_3_unless_keep_going(cli, project, monkeypatch):
    from garrison.scan.analyzers import files

    def boom(self, file, ctx):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(files.FilesAnalyzer, "analyze_file", boom)
    r = cli("scan", str(project), "--fail-on", "none")
    assert r.code == 3
    assert "analyzer failure (files)" in r.err
    assert cli("scan", str(project), "--fail-on", "none", "--keep-going").code == 0


def test_unexpected_exception_is_one_line_exit_3(cli, project, monkeypatch):
    import garrison.pipeline

    def explode(req):
        raise KeyError("surprise")

    monkeypatch.setattr(garrison.pipeline, "run_scan", explode)
    r = cli("scan", str(project))
    assert r.code == 3
    assert r.err.strip().startswith("garrison: internal error: KeyError")
    assert len(r.err.strip().splitlines()) == 1


def test_scan_makes_no_network_calls(project, tmp_path):
    """Scanners are offline: run a scan with every socket connection refused."""
    guard = tmp_path / "sitecustomize.py"
    guard.write_text(
        "import socket\n"
        "def _deny(*a, **k):\n    raise RuntimeError('network access attempted')\n"
        "socket.socket.connect = _deny\nsocket.create_connection = _deny\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.run(
        [sys.executable, "-m", "garrison", "scan", str(project), "--no-progress"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "network access attempted" not in proc.stderr + proc.stdout


def test_progress_line_on_a_tty(project, monkeypatch, capsys):
    import io

    from garrison.cli.common import progress_printer

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    fake = Tty()
    monkeypatch.setattr("sys.stderr", fake)
    show = progress_printer(True)
    assert show is not None
    show(0, 3)
    show(3, 3)
    assert "analyzing 3/3 files" in fake.getvalue()
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert progress_printer(True) is None  # not a terminal: no progress noise in CI logs
    assert progress_printer(False) is None
