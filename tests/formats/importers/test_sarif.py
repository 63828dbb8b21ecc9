"""SARIF 2.1.0 importer on the real SARIF corpus: every file imports, fingerprints are stable and unique,
malformed input is a one-line InputError naming the JSON path (fuzzed with hypothesis, seeded with real files)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garrison.core.errors import InputError
from garrison.core.report import Report
from garrison.core.severity import Severity
from garrison.formats.importers.sarif import import_sarif

#: file → (findings, suppressed, analyzer ids)
EXPECTED = {
    "codeQL-output.sarif": (72, 0, ["codeql"]),
    "flawfinder.sarif": (54, 0, ["flawfinder"]),
    "cxf-3.4.6.sarif": (22, 0, ["grype"]),
    "dependency_check.sarif": (13, 0, ["dependency-check"]),
    "SuppressionTestCurrent.sarif": (1, 3, ["codescanner"]),
    "appendix_k1.sarif": (0, 0, ["codescanner"]),
    "appendix_k1_double.sarif": (0, 0, ["codescanner", "otherscanner"]),
    "bash-report.sarif": (27, 0, ["shell-script-analysis"]),
    "blackduck_nested_fingerprints.sarif": (5, 0, ["example-application"]),
    "DefectDojo_django-DefectDojo__2020-12-11_13 42 10__export.sarif": (510, 0, ["lgtm-com"]),
}


def sarif_files(corpus: Path) -> list[Path]:
    files = sorted((corpus / "scan-reports" / "sarif").glob("*.sarif"))
    files.append(corpus / "scan-reports" / "govulncheck" / "issue_15033_sarif.json")
    return files


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_sarif_file_in_the_corpus_imports(corpus: Path) -> None:
    files = sarif_files(corpus)
    assert len(files) >= 19
    for path in files:
        report = import_sarif(load(path), source=path.name)
        fps = [f.fingerprint for f in report.findings] + [s.finding.fingerprint for s in report.suppressed]
        assert len(fps) == len(set(fps)), path.name
        assert report.target.kind == "sarif"
        if path.name in EXPECTED:
            n, s, analyzers = EXPECTED[path.name]
            assert (len(report.findings), len(report.suppressed), [a.id for a in report.analyzers]) == (n, s, analyzers)
        # importing twice gives the same findings
        assert import_sarif(load(path), source=path.name) == report


def test_codeql_details(corpus: Path) -> None:
    r = import_sarif(load(corpus / "scan-reports/sarif/codeQL-output.sarif"))
    first = r.findings[0]
    assert first.analyzer == "codeql"
    assert first.location.path and first.location.region is not None
    assert any(f.rule.cwe for f in r.findings)
    assert {f.severity for f in r.findings} <= set(Severity)


def test_security_severity_maps_to_cvss_score(corpus: Path) -> None:
    r = import_sarif(load(corpus / "scan-reports/sarif/cxf-3.4.6.sarif"))
    scored = [f for f in r.findings if f.score is not None]
    assert scored
    for f in scored:
        assert f.severity == Severity.from_cvss(f.score or 0.0)


def test_partial_fingerprints_make_fingerprints_survive_line_shifts(corpus: Path) -> None:
    doc = load(corpus / "scan-reports/sarif/codeQL-output.sarif")
    assert all("partialFingerprints" in res for res in doc["runs"][0]["results"])
    before = {f.fingerprint for f in import_sarif(doc).findings}
    shifted = copy.deepcopy(doc)
    for res in shifted["runs"][0]["results"]:
        for loc in res.get("locations", []):
            reg = loc.get("physicalLocation", {}).get("region", {})
            if "startLine" in reg:
                reg["startLine"] += 40
    after = import_sarif(shifted).findings
    assert {f.fingerprint for f in after} == before
    changed = copy.deepcopy(doc)
    changed["runs"][0]["results"][0]["partialFingerprints"] = {"primaryLocationLineHash": "0000:1"}
    assert {f.fingerprint for f in import_sarif(changed).findings} != before


def test_without_fingerprints_the_snippet_or_message_anchors_not_the_line() -> None:
    def log(line: int) -> dict[str, Any]:
        return {
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "Semgrep",
                            "rules": [{"id": "py.eval", "shortDescription": {"text": "eval"}}],
                        }
                    },
                    "results": [
                        {
                            "ruleId": "py.eval",
                            "level": "error",
                            "message": {"text": "eval of user input"},
                            "locations": [
                                {
                                    "physicalLocation": {
                                        "artifactLocation": {"uri": "file:///src/app.py"},
                                        "region": {"startLine": line, "snippet": {"text": "  eval(x)  "}},
                                    }
                                }
                            ],
                        }
                    ],
                }
            ],
        }

    a, b = import_sarif(log(3)).findings[0], import_sarif(log(30)).findings[0]
    assert a.fingerprint == b.fingerprint and a.location.line == 3 and b.location.line == 30
    assert a.location.path == "/src/app.py" and a.severity == Severity.HIGH and a.rule.title == "eval"


def test_own_sarif_writer_output_round_trips(tmp_path: Path) -> None:
    from garrison.cli.main import main

    target = tmp_path / "proj"
    (target / "deploy").mkdir(parents=True)
    (target / "deploy" / "id_rsa").write_text(  # a key with real-looking material (the secrets analyzer's rule)
        "-----BEGIN OPENSSH PRIVATE KEY-----\n"
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
        "QyNTUxOQAAACChV0rLbUd+JQuwmeeID6Tj27yLqm4rOuEkOsnqcqawLQAAAJhsW7AhbFuw\n"
        "-----END OPENSSH PRIVATE KEY-----\n"
    )
    out = tmp_path / "r.sarif"
    assert main(["scan", str(target), "--format", "sarif", "--output", str(out), "--no-progress"]) in (0, 1)
    report = import_sarif(json.loads(out.read_text()))
    assert isinstance(report, Report) and len(report.findings) >= 1


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ([], ""),
        ({"version": "2.0.0", "runs": []}, "version"),
        ({"version": "2.1.0"}, "runs"),
        ({"runs": {}}, "runs"),
        ({"runs": [1]}, "runs[0]"),
        (
            {
                "runs": [
                    {
                        "tool": {"driver": {"name": "x"}},
                        "results": [{"locations": [{"physicalLocation": {"region": {"startLine": "1"}}}]}],
                    }
                ]
            },
            "runs[0].results[0].locations[0].physicalLocation.region.startLine",
        ),
        ({"runs": [{"tool": {"driver": {"name": "x", "rules": [5]}}}]}, "runs[0].tool.driver.rules[0]"),
    ],
)
def test_malformed_logs_name_the_field(doc: Any, field: str) -> None:
    with pytest.raises(InputError) as e:
        import_sarif(doc, source="x.sarif")
    assert "\n" not in e.value.message
    assert (e.value.field or "") == field


def _mutations(doc: Any, draw: Any) -> Any:
    """Replace one random node of the document with a hostile value."""
    paths: list[list[Any]] = []

    def walk(node: Any, path: list[Any]) -> None:
        paths.append(path)
        if len(paths) > 3000:
            return
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, [*path, k])
        elif isinstance(node, list):
            for i, v in enumerate(node[:20]):
                walk(v, [*path, i])

    walk(doc, [])
    path = draw(st.sampled_from(paths))
    value = draw(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-(2**70), 2**70),
            st.floats(allow_nan=True),
            st.text(max_size=30),
            st.lists(st.integers(), max_size=3),
            st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
        )
    )
    if not path:
        return value
    doc = copy.deepcopy(doc)
    node = doc
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return doc


SEEDS = [
    "codeQL-output.sarif",
    "SuppressionTestCurrent.sarif",
    "appendix_k2.sarif",
    "appendix_k3.sarif",
    "cxf-3.4.6.sarif",
    "dockle_0_3_15.sarif",
    "blackduck_nested_fingerprints.sarif",
]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_mutated_real_logs_give_a_report_or_a_one_line_input_error(corpus: Path, data: Any) -> None:
    seed = data.draw(st.sampled_from(SEEDS))
    doc = _SEED_CACHE.setdefault(seed, load(corpus / "scan-reports" / "sarif" / seed))
    for _ in range(data.draw(st.integers(1, 3))):
        doc = _mutations(doc, data.draw)
    outcome: Report | InputError
    try:
        outcome = import_sarif(doc, source=seed)
    except InputError as exc:
        outcome = exc
    if isinstance(outcome, InputError):
        assert "\n" not in outcome.message
    else:
        assert isinstance(outcome, Report)


_SEED_CACHE: dict[str, Any] = {}
