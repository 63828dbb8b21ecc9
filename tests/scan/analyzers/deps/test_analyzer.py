"""The deps analyzer end to end over real lockfiles and the real advisory corpus."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

from garrison.core.config import Config
from garrison.core.finding import Finding, FindingKind
from garrison.core.severity import Severity
from garrison.pipeline import ScanOutcome, ScanRequest, run_scan

from .helpers import FIXTURES

REPO = Path(__file__).resolve().parents[4]


def scan(path: Path, db: Path | None, **opts: Any) -> ScanOutcome:
    options: dict[str, Any] = dict(opts)
    if db is not None:
        options["db"] = str(db)
    return run_scan(ScanRequest(path=path, analyzers=("deps",), options={"deps": options}, jobs=1, fail_on=None))


def vulns(outcome: ScanOutcome) -> list[Finding]:
    return [f for f in outcome.report.findings if f.rule.id != "deps.unpinned"]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the deps analyzer must not open network connections")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_demo_project_vulnerabilities(corpus_db: Path, no_network: None) -> None:
    outcome = scan(REPO / "examples" / "insecure-app", corpus_db)
    found = {(f.evidence["package"], f.rule.id): f for f in vulns(outcome)}
    # PYSEC-2018-66 (flask < 0.12.3) merged with its aliases; GHSA preferred as the rule id
    f = found[("flask", "GHSA-562c-5r94-xh97")]
    assert f.kind is FindingKind.VULNERABILITY
    assert set(f.aliases) == {"CVE-2018-1000656", "PYSEC-2018-66"}
    assert f.location.path == "requirements.txt" and f.location.line == 2
    assert f.location.purl == "pkg:pypi/flask@0.12.2" and f.location.package_version == "0.12.2"
    assert f.fix.available and f.fix.versions[0] == "0.12.3" and "0.12.3" in f.fix.instruction
    assert f.evidence["advisories"] == ("PYSEC-2018-66",)
    packages = {p for p, _ in found}
    assert packages == {"flask", "django", "requests", "pyyaml", "jinja2", "urllib3", "cryptography"}
    meta = outcome.report.metadata["deps"]
    assert meta["database"]["ecosystems"]["PyPI"]["advisories"] == 2651
    assert any(c["purl"] == "pkg:pypi/django@3.2.4" for c in meta["components"])


def test_cvss_scores_drive_severity(corpus_db: Path) -> None:
    outcome = scan(REPO / "examples" / "insecure-app", corpus_db)
    scored = [f for f in vulns(outcome) if f.score is not None]
    assert scored
    for f in scored:
        assert f.score is not None and f.severity is Severity.from_cvss(f.score)
        assert str(f.evidence["cvss_vector"]).startswith("CVSS:")
        assert f.evidence["severity_source"] in ("cvss_v3", "cvss_v4")
    unscored = [f for f in vulns(outcome) if f.score is None]
    assert all(f.severity is Severity.MEDIUM and f.evidence["severity_source"] == "default" for f in unscored)


def test_go_and_crates_lockfiles(corpus_db: Path) -> None:
    go = scan(FIXTURES / "gomod", corpus_db)
    ids = {(f.evidence["package"], f.rule.id) for f in vulns(go)}
    # coder v2.14.0 is inside GO-2024-3228's first span (2.3.1 ≤ v < 2.14.4), aliased GHSA-wcx9-ccpj-hx3c
    assert ("github.com/coder/coder/v2", "GHSA-wcx9-ccpj-hx3c") in ids
    assert any(p == "golang.org/x/net" for p, _ in ids)  # a pseudo-version inside real ranges
    assert any(p == "stdlib" for p, _ in ids)  # toolchain go1.21.3
    net = next(f for f in vulns(go) if f.evidence["package"] == "golang.org/x/net")
    assert net.location.line == 10 and net.evidence["direct"] is False
    cargo = scan(FIXTURES / "cargo", corpus_db)
    crates = {f.evidence["package"] for f in vulns(cargo)}
    assert {"smallvec", "time", "hyper"} <= crates
    sv = next(f for f in vulns(cargo) if f.evidence["package"] == "smallvec")
    assert sv.location.package_version == "1.6.0"  # 0.6.13 is not in the affected range of this advisory
    assert sv.location.line is not None


def test_unpinned_requirements_are_info_and_never_matched(corpus_db: Path) -> None:
    outcome = scan(FIXTURES / "requirements", corpus_db)
    unpinned = [f for f in outcome.report.findings if f.rule.id == "deps.unpinned"]
    assert {f.evidence["package"] for f in unpinned} == {"gunicorn"}
    assert unpinned[0].severity is Severity.INFO and unpinned[0].location.line == 27
    # pyyaml is unpinned in requirements.txt but pinned by -c constraints.txt: it is matched at 5.3.1
    assert any(f.evidence["package"] == "pyyaml" and f.location.package_version == "5.3.1" for f in vulns(outcome))
    # a transitive finding carries its path from the direct dependency
    werkzeug = [f for f in vulns(outcome) if f.evidence["package"] == "werkzeug"]
    assert werkzeug and werkzeug[0].location.dependency_path == ("flask", "werkzeug")
    assert "transitive" in werkzeug[0].tags and werkzeug[0].location.line == 25


def test_no_database_warns_and_still_reports_the_rest(tmp_path: Path) -> None:
    outcome = scan(FIXTURES / "requirements", tmp_path / "missing.db")
    assert [f.rule.id for f in outcome.report.findings] == ["deps.unpinned"]
    assert any("dependencies were NOT checked" in w for w in outcome.report.warnings)
    assert outcome.report.metadata["deps"]["database"]["available"] is False
    assert outcome.report.metadata["deps"]["components"]


def test_corrupt_database_is_an_input_error_not_a_pass(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 1000)
    outcome = scan(FIXTURES / "requirements", bad)
    run = next(a for a in outcome.report.analyzers if a.id == "deps")
    assert run.errors and run.errors[0].kind == "input" and "not a readable advisory database" in run.errors[0].message
    assert any("NOT checked" in w for w in outcome.report.warnings)


def test_stale_database_warns(corpus_db: Path) -> None:
    outcome = scan(REPO / "examples" / "insecure-app", corpus_db, max_db_age_days=30)
    assert any("PyPI advisories are" in w and "limit 30" in w for w in outcome.report.warnings)
    fresh = scan(REPO / "examples" / "insecure-app", corpus_db, max_db_age_days=100_000)
    assert not any("advisories are" in w for w in fresh.report.warnings)


def test_fingerprint_survives_an_upgrade_that_stays_vulnerable(corpus_db: Path, tmp_path: Path) -> None:
    proj = tmp_path / "p"
    proj.mkdir()
    (proj / "requirements.txt").write_text("# pinned\nflask==0.10\n")
    before = {f.rule.id: f.fingerprint for f in vulns(scan(proj, corpus_db))}
    (proj / "requirements.txt").write_text("# pinned\n\n\nflask==0.12.2\n")  # moved lines, newer but affected
    after = {f.rule.id: f.fingerprint for f in vulns(scan(proj, corpus_db))}
    assert before["GHSA-562c-5r94-xh97"] == after["GHSA-562c-5r94-xh97"]
    (proj / "requirements.txt").write_text("flask==2.3.3\n")
    assert "GHSA-562c-5r94-xh97" not in {f.rule.id for f in vulns(scan(proj, corpus_db))}


def test_malformed_lockfile_is_recorded_and_the_rest_scanned(corpus_db: Path, tmp_path: Path) -> None:
    proj = tmp_path / "p"
    shutil.copytree(FIXTURES / "cargo", proj / "rust")
    (proj / "web").mkdir()
    (proj / "web" / "package-lock.json").write_text('{"lockfileVersion": 3, "packages": [')
    outcome = scan(proj, corpus_db)
    run = next(a for a in outcome.report.analyzers if a.id == "deps")
    assert [(e.path, e.kind) for e in run.errors] == [("web/package-lock.json", "input")]
    assert "invalid JSON" in run.errors[0].message
    assert vulns(outcome)  # Cargo.lock was still matched


def test_findings_json_report_is_deterministic(corpus_db: Path) -> None:
    from garrison.formats.base import WriteOptions, get_writer

    a = scan(FIXTURES / "gomod", corpus_db)
    b = scan(FIXTURES / "gomod", corpus_db)
    w = get_writer("json")
    doc_a = json.loads(w.write(a.report, a.decision, WriteOptions()))
    doc_b = json.loads(w.write(b.report, b.decision, WriteOptions()))
    assert doc_a["findings"] == doc_b["findings"]


def test_options_are_validated() -> None:
    from garrison.core.errors import ConfigError

    with pytest.raises(ConfigError, match=r"analyzers\.deps\.max_db_age: unknown key"):
        run_scan(ScanRequest(path=FIXTURES, analyzers=("deps",), options={"deps": {"max_db_age": 3}}))
    cfg = Config()
    assert cfg.analyzers.options == {}


def _markers_project(tmp_path: Path) -> Path:
    proj = tmp_path / "svc"
    proj.mkdir()
    shutil.copy(FIXTURES / "markers" / "requirements.txt", proj / "requirements.txt")
    return proj


def by_package(outcome: ScanOutcome) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in vulns(outcome):
        out.setdefault(str(f.evidence["package"]), []).append(f)
    return out


ALL_MARKED = {"flask", "django", "pyyaml", "requests", "jinja2", "urllib3", "cryptography"}


def test_without_environment_every_marked_package_is_reported_with_its_marker(corpus_db: Path, tmp_path: Path) -> None:
    outcome = scan(_markers_project(tmp_path), corpus_db)
    found = by_package(outcome)
    assert set(found) == ALL_MARKED
    assert {f.evidence["marker"] for f in found["flask"]} == {'sys_platform == "win32"'}
    assert {f.evidence["marker"] for f in found["django"]} == {'python_version < "3.8"'}
    assert all("marker" not in f.evidence for f in found["urllib3"] + found["jinja2"])  # none / invalid
    assert not any("environment markers" in n for n in outcome.report.metadata["deps"].get("notes", []))


@pytest.mark.parametrize(
    ("environment", "target"),
    [
        ({"python_version": "3.12", "sys_platform": "linux"}, "python_version=3.12, sys_platform=linux"),
        # python_version is derived from python_full_version (exactly: 3.12)
        (
            {"python_full_version": "3.12.4", "sys_platform": "linux"},
            "python_full_version=3.12.4, python_version=3.12, sys_platform=linux",
        ),
    ],
)
def test_environment_skips_packages_whose_marker_is_false(
    corpus_db: Path, tmp_path: Path, environment: dict[str, str], target: str
) -> None:
    outcome = scan(_markers_project(tmp_path), corpus_db, environment=environment)
    found = by_package(outcome)
    # win32-only and python<3.8-only packages are not installed on Linux / 3.12
    assert "flask" not in found and "django" not in found
    assert set(found) == ALL_MARKED - {"flask", "django"}
    # a variable the environment does not set cannot be decided: kept, marker in evidence
    assert {f.evidence["marker"] for f in found["pyyaml"]} == {'platform_machine == "arm64"'}
    assert {f.evidence["marker"] for f in found["cryptography"]} == {'extra == "crypto"'}  # extras: undecidable
    # decided True: kept, marker still in evidence
    assert {f.evidence["marker"] for f in found["requests"]} == {'python_version >= "3.8" and sys_platform != "win32"'}
    assert all("marker" not in f.evidence for f in found["jinja2"])  # invalid marker: reported
    meta = outcome.report.metadata["deps"]
    assert meta["notes"] == [f"requirements.txt: 2 package(s) skipped by environment markers ({target})"]
    # and printed with the summary, so nothing goes unchecked without the user seeing it
    assert any(w.endswith(f"requirements.txt: 2 package(s) skipped by environment markers ({target})")
               for w in outcome.report.warnings)  # fmt: skip
    assert {c["name"] for c in meta["components"]} == ALL_MARKED - {"flask", "django"}


def test_environment_that_matches_keeps_everything(corpus_db: Path, tmp_path: Path) -> None:
    outcome = scan(
        _markers_project(tmp_path), corpus_db, environment={"python_version": "3.7", "sys_platform": "win32"}
    )
    assert set(by_package(outcome)) == ALL_MARKED - {"requests"}  # requests: sys_platform != "win32"
    assert outcome.report.metadata["deps"]["notes"] == [
        "requirements.txt: 1 package(s) skipped by environment markers (python_version=3.7, sys_platform=win32)"
    ]


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"sys_platfrom": "linux"}, r"analyzers\.deps\.environment\.sys_platfrom: unknown marker variable"),
        ({"extra": "crypto"}, r"analyzers\.deps\.environment\.extra: unknown marker variable"),
        ({"python_version": 3.12}, r"analyzers\.deps\.environment\.python_version: expected a string, got a number"),
        ({"sys_platform": ""}, r"analyzers\.deps\.environment\.sys_platform: expected a non-empty string"),
        ("linux", r"analyzers\.deps\.environment: expected a table, got a string"),
    ],
)
def test_environment_option_is_validated(environment: object, message: str) -> None:
    from garrison.core.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        run_scan(ScanRequest(path=FIXTURES, analyzers=("deps",), options={"deps": {"environment": environment}}))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('environment = { sys_platfrom = "linux" }', "garrison.toml: analyzers.deps.environment.sys_platfrom: unknown"),
        (
            "environment = { python_version = 3.12 }",
            "garrison.toml: analyzers.deps.environment.python_version: expected",
        ),
    ],
)
def test_bad_environment_in_garrison_toml_is_one_line_exit_2(cli: Any, tmp_path: Path, line: str, message: str) -> None:
    (tmp_path / "requirements.txt").write_text("flask==0.12.2\n")
    (tmp_path / "garrison.toml").write_text(f"[analyzers.deps]\n{line}\n")
    r = cli("scan", str(tmp_path))
    assert r.code == 2 and r.err.count("\n") == 1 and message in r.err and "Traceback" not in r.err


def test_environment_in_garrison_toml_is_accepted(cli: Any, corpus_db: Path, tmp_path: Path) -> None:
    proj = _markers_project(tmp_path)
    (proj / "garrison.toml").write_text(
        '[analyzers.deps]\nenvironment = { python_version = "3.12", sys_platform = "linux" }\n'
    )
    r = cli("scan", str(proj), "-a", "deps", "--db", str(corpus_db), "--format", "json", "--fail-on", "none")
    assert r.code == 0, r.err
    packages = {f["evidence"]["package"] for f in json.loads(r.out)["findings"]}
    assert packages == ALL_MARKED - {"flask", "django"}
