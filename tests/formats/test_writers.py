"""Every writer on the same realistic report: structure, determinism, redaction-safety, self-containment."""

from __future__ import annotations

import datetime as dt
import json
import re
from xml.etree import ElementTree as ET

import pytest

from garrison.core.errors import UsageError
from garrison.core.finding import FindingKind, SuppressedFinding, Suppression
from garrison.core.severity import Severity
from garrison.formats.base import WriteOptions, available, get_writer
from garrison.policy.gate import GatePolicy, evaluate
from tests.factories import finding, report, vuln
from tests.schemas import assert_valid_report, assert_valid_sarif


def sample():
    sup = SuppressedFinding(
        finding("files.dotenv", Severity.MEDIUM, path=".env", anchor="e"),
        Suppression("waiver", "demo", "w-1", "sec@example.com", dt.date(2027, 1, 1)),
    )
    inline = SuppressedFinding(
        finding("secrets.generic", Severity.LOW, path="t.py", anchor="i"),
        Suppression("inline", "test key", "t.py:4"),
    )
    rep = report(
        finding(
            "secrets.aws-access-key",
            Severity.CRITICAL,
            path="src/a b.py",
            anchor="1",
            message="AWS key AKIA…[20 chars] <b>",
        ),
        finding("files.world-writable", Severity.MEDIUM, path="run.sh", anchor="2", kind=FindingKind.MISCONFIGURATION),
        vuln(),
        suppressed=(sup, inline),
        errors=True,
    )
    return rep, evaluate(rep.findings, GatePolicy(fail_on=Severity.HIGH))


def write(name: str, **kw) -> bytes:
    rep, decision = sample()
    return get_writer(name).write(rep, decision, WriteOptions(**kw))


def test_registry_lists_builtins_and_rejects_unknown():
    assert {"table", "json", "sarif", "junit", "markdown", "html"} <= set(available())
    with pytest.raises(UsageError, match="unknown format 'pdf'"):
        get_writer("pdf")


@pytest.mark.parametrize("name", ["table", "json", "sarif", "junit", "markdown", "html"])
def test_output_is_deterministic(name):
    assert write(name) == write(name)


def test_json_validates_and_carries_decision():
    doc = json.loads(write("json"))
    assert_valid_report(doc)
    assert doc["decision"]["passed"] is False
    assert len(doc["decision"]["failing"]) == 2  # critical secret + high vuln
    assert list(doc)[:4] == ["format", "schema_version", "tool", "target"]


def test_sarif_is_valid_and_complete():
    doc = json.loads(write("sarif"))
    assert_valid_sarif(doc)
    runs = {r["tool"]["driver"]["name"]: r for r in doc["runs"]}
    assert set(runs) == {"garrison-test", "garrison-broken", "garrison-deps"}
    test_run = runs["garrison-test"]
    rules = {r["id"]: r for r in test_run["tool"]["driver"]["rules"]}
    aws = rules["secrets.aws-access-key"]
    assert aws["help"]["text"]
    assert aws["properties"]["security-severity"] == "9.5"
    assert aws["relationships"][0]["target"]["id"] == "798"
    assert test_run["taxonomies"][0]["name"] == "CWE"
    results = test_run["results"]
    for res in results:
        assert res["partialFingerprints"]["garrison/v1"]
        assert test_run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
    first = next(r for r in results if r["ruleId"] == "secrets.aws-access-key")
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "src/a%20b.py"
    assert loc["region"] == {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 20}
    kinds = sorted(s["suppressions"][0]["kind"] for s in results if "suppressions" in s)
    assert kinds == ["external", "inSource"]
    broken = runs["garrison-broken"]["invocations"][0]
    assert broken["executionSuccessful"] is False
    deps = runs["garrison-deps"]["results"][0]
    assert {"fullyQualifiedName": "pkg:pypi/django@3.2.4", "kind": "package"} in deps["locations"][0][
        "logicalLocations"
    ]


def test_junit_failures_match_the_gate():
    root = ET.fromstring(write("junit"))
    assert root.tag == "testsuites"
    assert root.get("failures") == "2"
    assert root.get("errors") == "1"
    assert root.get("skipped") == "2"
    cases = root.findall(".//testcase")
    assert int(root.get("tests")) == len(cases)
    failing = [c for c in cases if c.find("failure") is not None]
    assert {c.get("classname") for c in failing} == {"secrets.aws-access-key", "GHSA-xxxx-yyyy-zzzz"}


def test_markdown_for_pr_comment():
    md = write("markdown").decode()
    assert md.startswith("## Garrison: ❌ gate failed")
    assert "| 1 | 1 | 1 | 0 | 0 | 2 |" in md
    assert "### Failing the gate" in md
    assert "AKIA…[20 chars] &lt;b&gt;" in md
    assert "<b>" not in md
    assert "`src/a b.py:3`" in md


def test_html_is_self_contained_and_escaped():
    html = write("html").decode()
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "no external resources"
    assert "<svg" in html and 'id="q"' in html
    assert "AKIA…[20 chars] &lt;b&gt;" in html
    assert html.count('<tr class="') == 5


def test_table_groups_by_severity_and_marks_failures():
    text = write("table").decode()
    assert text.index("CRITICAL (1)") < text.index("HIGH (1)") < text.index("MEDIUM (1)")
    assert "✗ secrets.aws-access-key" in text
    assert text.rstrip().endswith("gate FAILED (2 findings)")
    assert "error: [broken] x.py: ValueError: boom" in text
    assert "\x1b[" not in text
    assert "\x1b[" in write("table", color=True).decode()
