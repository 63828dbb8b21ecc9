"""``garrison hunt`` end to end: formats (SARIF validated against the OASIS schema), ATT&CK layer, coverage,
exit codes, one-line errors, stdin, gzip, and --jobs giving the same answer as one process."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

LOGS = Path(__file__).resolve().parents[1] / "fixtures" / "detect" / "logs"


@pytest.fixture
def rules(corpus: Path) -> list[str]:
    base = corpus / "sigma" / "rules"
    args: list[str] = []
    for d in ("linux/auditd", "linux/builtin", "cloud/aws", "web", "application/kubernetes", "network/zeek"):
        args += ["--rules", str(base / d)]
    return args


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GARRISON_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("GARRISON_DATA_DIR", str(tmp_path / "data"))


def test_table_output_and_summary(cli: Callable[..., Any], rules: list[str]) -> None:
    res = cli("hunt", *rules, str(LOGS))
    assert res.code == 0, res.err
    assert "Remove Immutable File Attribute - Auditd" in res.out
    assert "AWS IAM Backdoor Users Keys" in res.out
    assert "Kubernetes Secrets Enumeration" in res.out
    assert "coverage:" in res.out and "corrupt record(s) skipped" in res.out


def test_jsonl_csv_sarif_and_attack_layer(
    cli: Callable[..., Any], rules: list[str], tmp_path: Path, corpus: Path
) -> None:
    import jsonschema

    out_jsonl, out_csv, out_sarif, layer = (tmp_path / n for n in ("a.jsonl", "a.csv", "a.sarif", "layer.json"))
    res = cli(
        "hunt", *rules, str(LOGS),
        "--format", f"jsonl={out_jsonl}", "--format", "csv", "--output", str(out_csv),
        "--output", str(out_sarif), "--attack-layer", str(layer),
    )  # fmt: skip
    assert res.code == 0, res.err
    alerts = [json.loads(line) for line in out_jsonl.read_text().splitlines()]
    assert len(alerts) >= 8 and all(a["id"] and a["rule"]["id"] for a in alerts)
    rows = list(csv.DictReader(out_csv.open()))
    assert len(rows) == len(alerts) and {r["alert_id"] for r in rows} == {a["id"] for a in alerts}
    sarif = json.loads(out_sarif.read_text())
    schema = json.loads((corpus / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    assert len(sarif["runs"][0]["results"]) == len(alerts)
    lay = json.loads(layer.read_text())
    assert lay["domain"] == "enterprise-attack" and lay["techniques"]
    assert all(t["techniqueID"].startswith("T") and t["score"] >= 1 for t in lay["techniques"])
    # the summary goes to stderr when stdout carries no table
    assert "alert(s)" in res.err


def test_output_is_deterministic(cli: Callable[..., Any], rules: list[str]) -> None:
    a = cli("hunt", *rules, str(LOGS), "--format", "jsonl")
    b = cli("hunt", *rules, str(LOGS), "--format", "jsonl")
    assert a.out == b.out and a.out


def test_fail_level_and_min_level(cli: Callable[..., Any], rules: list[str]) -> None:
    assert cli("hunt", *rules, str(LOGS / "audit.log"), "--fail-level", "medium").code == 1
    assert cli("hunt", *rules, str(LOGS / "audit.log"), "--fail-level", "high").code == 0
    res = cli("hunt", *rules, str(LOGS), "--min-level", "high", "--format", "jsonl")
    assert res.code == 0 and all(json.loads(x)["rule"]["level"] in ("high", "critical") for x in res.out.splitlines())


def test_coverage_report(cli: Callable[..., Any], rules: list[str], tmp_path: Path) -> None:
    res = cli("hunt", *rules, str(LOGS / "audit.log"), "--coverage")
    assert res.code == 0 and "STATE" in res.err and "no-logsource" in res.err and "ran" in res.err
    cov = tmp_path / "cov.json"
    cli("hunt", *rules, str(LOGS / "audit.log"), "--coverage", str(cov))
    doc = json.loads(cov.read_text())
    states = {r["state"] for r in doc["rules"]}
    assert states == {"ran", "no-logsource"}
    assert all(r["events"] == 3 for r in doc["rules"] if r["state"] == "ran" and "auditd" in r["logsource"])


def test_stdin_with_input_format(cli: Callable[..., Any], rules: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = io.BytesIO((LOGS / "audit.log").read_bytes())

    monkeypatch.setattr(sys, "stdin", Stdin())
    res = cli("hunt", *rules, "--input-format", "auditd", "-", "--format", "jsonl")
    assert res.code == 0 and "Remove Immutable File Attribute" in res.out
    assert json.loads(res.out.splitlines()[0])["source"] == "-"


def test_jobs_give_the_same_alerts(
    cli: Callable[..., Any], rules: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from garrison.detect import hunt

    big = tmp_path / "access.log"
    lines = (LOGS / "access.log").read_text().splitlines()
    big.write_text("\n".join(lines[i % 4] for i in range(4000)) + "\n")
    monkeypatch.setattr(hunt, "SPLIT_MIN", 1024)  # force byte-range splitting of this small file
    one = cli("hunt", *rules, str(big), str(LOGS / "audit.log"), "--format", "jsonl", "--jobs", "1")
    two = cli("hunt", *rules, str(big), str(LOGS / "audit.log"), "--format", "jsonl", "--jobs", "2")
    assert one.code == two.code == 0
    assert one.out == two.out and one.out.count("\n") >= 1000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/x.evtx"], "/nonexistent/x.evtx: log file not found"),
        (["--rules", "/nonexistent/rules", "LOG"], "/nonexistent/rules: rules path not found"),
        (["--format", "xml", "LOG"], "unknown format 'xml'"),
        (["--input-format", "pcap", "LOG"], "unknown input format 'pcap'"),
        (["--pipeline", "nope", "LOG"], "unknown pipeline 'nope'"),
        (["--pipeline", "BADPIPE", "LOG"], "invalid pipeline"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    cli: Callable[..., Any], rules: list[str], tmp_path: Path, args: list[str], message: str
) -> None:
    bad = tmp_path / "bad-pipeline.yml"
    bad.write_text("transformations:\n  - type: no_such_transformation\n")
    args = [str(LOGS / "audit.log") if a == "LOG" else str(bad) if a == "BADPIPE" else a for a in args]
    res = cli("hunt", *rules, *args)
    assert res.code == 2
    assert message in res.err and res.err.count("\n") == 1 and "Traceback" not in res.err


def test_no_rules_installed_is_a_usage_error(cli: Callable[..., Any]) -> None:
    res = cli("hunt", str(LOGS / "audit.log"))
    assert res.code == 2 and "garrison rules update sigma" in res.err


def test_invalid_rule_files_are_reported_not_fatal(cli: Callable[..., Any], tmp_path: Path) -> None:
    d = tmp_path / "r"
    d.mkdir()
    (d / "broken.yml").write_text("title: [unclosed\n")
    (d / "nodetection.yml").write_text("title: x\nlogsource:\n  product: linux\n")
    (d / "ok.yml").write_text(
        "title: chattr\nid: 4f3c1f4e-0000-4000-8000-000000000001\nlevel: low\nlogsource:\n  product: linux\n"
        "  service: auditd\ndetection:\n  sel:\n    exe|endswith: /chattr\n  condition: sel\n"
    )
    res = cli("hunt", "--rules", str(d), str(LOGS / "audit.log"), "--coverage")
    assert res.code == 0 and "chattr" in res.out
    assert "broken.yml" in res.err and "invalid YAML" in res.err and "nodetection.yml" in res.err


def test_help_lists_every_input_format(cli: Callable[..., Any]) -> None:
    from garrison.detect.sources import FORMATS

    with pytest.raises(SystemExit):
        cli("hunt", "--help")
    from garrison.cli.main import build_parser

    text = build_parser()._subparsers._group_actions[0].choices["hunt"].format_help()  # type: ignore[union-attr,index]
    listed = " ".join(text.split()).split("auto (default), ", 1)[1]
    assert all(f in listed for f in FORMATS)


def test_gzipped_evtx_is_spooled_and_hunted(cli: Callable[..., Any], corpus: Path, tmp_path: Path) -> None:
    import gzip

    case = corpus / "sigma" / "regression_data" / "rules-emerging-threats" / "2026" / "Exploits" / "RedSun"
    evtx = next(case.rglob("*.evtx"))
    gz = tmp_path / "sysmon.evtx.gz"
    gz.write_bytes(gzip.compress(evtx.read_bytes()))
    res = cli(
        "hunt",
        "--rules",
        str(corpus / "sigma" / "rules-emerging-threats" / "2026" / "Exploits"),
        str(gz),
        "--format",
        "jsonl",
    )
    assert res.code == 0, res.err
    alerts = [json.loads(line) for line in res.out.splitlines()]
    assert alerts and all(a["source"] == str(gz) for a in alerts)
    assert any("RedSun" in a["rule"]["title"] for a in alerts)
