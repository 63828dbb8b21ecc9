"""Python checks from installed distributions (the ``garrison.iac_checks`` entry-point group).

The first test installs a real distribution into a directory on ``sys.path`` (a ``*.dist-info`` with
``entry_points.txt``), so discovery goes through ``importlib.metadata`` exactly as for ``pip install``. The
others substitute the entry points to cover every failure: a broken plugin is an analyzer error in the
report, the built-in checks still run, and nothing crashes.
"""

from __future__ import annotations

import importlib
import json
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from garrison.scan.analyzers.iac import custom

from .helpers import scan_files

TF = {
    "main.tf": """
resource "aws_s3_bucket" "untagged" {
  bucket = "acme-untagged"
}
resource "aws_s3_bucket" "tagged" {
  bucket = "acme-tagged"
  tags   = { Owner = "platform" }
}
resource "aws_ebs_volume" "huge" {
  availability_zone = "eu-west-1a"
  size              = 4096
  encrypted         = true
}
"""
}
MODULE = "tests.scan.analyzers.iac.plugin_checks"


def _install(site: Path, dist: str, module: str, entry: str) -> None:
    (site / f"{module}.py").write_text(
        f"from {MODULE} import OWNER_TAG\nCHECKS = [OWNER_TAG]\n"
        if module != "acme_broken"
        else "raise ImportError('the plugin needs a package that is not installed')\n"
    )
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[garrison.iac_checks]\n{entry} = {module}:CHECKS\n")


def test_a_check_from_an_installed_distribution_runs_end_to_end(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    site, project = tmp_path / "site", tmp_path / "project"
    site.mkdir()
    project.mkdir()
    _install(site, "acme-iac-checks", "acme_iac_checks", "acme")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    (project / "main.tf").write_text(TF["main.tf"])
    out = tmp_path / "report.json"
    r = cli("scan", str(project), "--analyzer", "iac", "--format", f"json={out}", "--no-progress", "--fail-on", "none")
    assert r.code == 0, r.err
    report = json.loads(out.read_text())
    hits = [f["location"]["resource"] for f in report["findings"] if f["rule"]["id"] == "acme.s3-owner-tag"]
    assert hits == ["aws_s3_bucket.untagged"]
    assert [a["errors"] for a in report["analyzers"]] == [[]]
    rules = cli("rules", "list", "--analyzer", "iac")
    assert "acme.s3-owner-tag" in rules.out


def test_a_plugin_that_fails_to_import_is_an_analyzer_error_not_a_crash(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    site, project = tmp_path / "site", tmp_path / "project"
    site.mkdir()
    project.mkdir()
    _install(site, "acme-broken", "acme_broken", "broken")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    (project / "main.tf").write_text(TF["main.tf"])
    out = tmp_path / "report.json"
    r = cli("scan", str(project), "--analyzer", "iac", "--format", f"json={out}", "--no-progress", "--fail-on", "none")
    assert r.code == 3  # an internal error, as for any broken check, unless --keep-going
    assert "Traceback" not in r.err
    report = json.loads(out.read_text())
    errors = [e for a in report["analyzers"] for e in a["errors"]]
    assert any("'broken'" in e["message"] and "ImportError" in e["message"] for e in errors), errors
    assert all("\n" not in e["message"] for e in errors)
    # the built-in checks ran regardless
    assert any(f["rule"]["id"] == "iac.aws.s3-versioning" for f in report["findings"])
    kept = cli(
        "scan",
        str(project),
        "--analyzer",
        "iac",
        "--format",
        "json",
        "--no-progress",
        "--fail-on",
        "none",
        "--keep-going",
    )
    assert kept.code == 0


def _fake_entry_points(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    eps = [EntryPoint(name=n, value=f"{MODULE}:{v}", group=custom.ENTRY_POINT_GROUP) for n, v in values.items()]

    def fake(*, group: str) -> list[EntryPoint]:
        return eps if group == custom.ENTRY_POINT_GROUP else []

    monkeypatch.setattr(custom, "entry_points", fake)


def _run(tmp_path: Path) -> tuple[set[tuple[str, str | None]], list[str]]:
    findings, _, ctx = scan_files(tmp_path, TF)
    return {(f.rule.id, f.location.resource) for f in findings}, [e.message for e in ctx.errors]


def test_entry_point_lists_and_factories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_entry_points(monkeypatch, owner="CHECKS", size="factory")
    got, errors = _run(tmp_path)
    assert errors == []
    assert {p for p in got if p[0].startswith("acme.")} == {
        ("acme.s3-owner-tag", "aws_s3_bucket.untagged"),
        ("acme.ebs-size-cap", "aws_ebs_volume.huge"),
    }


@pytest.mark.parametrize(
    ("attr", "message", "plugin_findings"),
    [
        ("broken_factory", "failed to load: ValueError: cannot reach the policy server", set()),
        ("NOT_CHECKS", "provided str, expected a Check", {("acme.s3-owner-tag", "aws_s3_bucket.untagged")}),
        ("DUPLICATE", "check id 'iac.aws.s3-versioning' is already taken", set()),
        ("NO_SUCH_ATTRIBUTE", "failed to load: AttributeError", set()),
    ],
)
def test_broken_plugins_are_reported_and_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, attr: str, message: str, plugin_findings: set[Any]
) -> None:
    _fake_entry_points(monkeypatch, acme=attr)
    got, errors = _run(tmp_path)
    assert len(errors) == 1 and message in errors[0] and "'acme'" in errors[0]
    assert {p for p in got if p[0].startswith("acme.")} == plugin_findings
    # the built-in check keeps its own semantics (a duplicate id does not replace it)
    assert ("iac.aws.s3-versioning", "aws_s3_bucket.untagged") in got


def test_a_plugin_check_that_raises_is_reported_once_and_the_rest_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_entry_points(monkeypatch, boom="EXPLODING", owner="CHECKS")
    got, errors = _run(tmp_path)
    assert len(errors) == 1 and "check acme.explodes failed" in errors[0] and "RuntimeError: plugin bug" in errors[0]
    assert ("acme.s3-owner-tag", "aws_s3_bucket.untagged") in got
