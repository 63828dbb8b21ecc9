import json

import jsonschema
import pytest

from garrison.core.errors import InputError
from garrison.core.finding import Commit, Location, Region, SuppressedFinding, Suppression
from garrison.core.serialize import report_from_dict, report_to_dict
from garrison.policy.gate import GatePolicy, evaluate
from tests.conftest import REPO_ROOT
from tests.factories import finding, report, vuln

SCHEMA = json.loads((REPO_ROOT / "docs" / "report-schema.json").read_text())


def sample():
    import dataclasses
    import datetime as dt

    from_git = dataclasses.replace(
        finding("secrets.github-pat", path="ci/deploy.sh", line=9, anchor="h1"),
        location=Location(
            path="ci/deploy.sh",
            region=Region(9, 3),
            commit=Commit("a" * 40, "Eve", "e@x.io", "2026-01-02T03:04:05+00:00"),
        ),
    )
    suppressed = SuppressedFinding(
        finding("files.dotenv", path=".env", anchor="e"),
        Suppression("waiver", "demo file", "w-1", "sec@example.com", dt.date(2027, 1, 1)),
    )
    return report(finding(), vuln(), from_git, suppressed=(suppressed,), errors=True)


def test_json_matches_published_schema_and_round_trips():
    rep = sample()
    decision = evaluate(rep.findings, GatePolicy())
    doc = report_to_dict(rep, decision)
    jsonschema.validate(doc, SCHEMA)
    back = report_from_dict(json.loads(json.dumps(doc)))
    assert back.findings == rep.findings
    assert back.suppressed == rep.suppressed
    assert back.analyzers == rep.analyzers
    assert back.stats == rep.stats
    assert report_to_dict(back, decision) == doc


def test_timings_only_when_asked():
    rep = sample()
    assert "duration" not in report_to_dict(rep)["analyzers"][0]
    assert "duration" in report_to_dict(rep, timings=True)["analyzers"][0]
    jsonschema.validate(report_to_dict(rep, timings=True), SCHEMA)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(format="sarif"), r"format: not a Garrison report"),
        (lambda d: d.update(schema_version="2.0"), r"schema_version: unsupported schema version '2.0'"),
        (lambda d: d["findings"][0].update(severity="huge"), r"findings\[0\].severity: unknown severity 'huge'"),
        (lambda d: d["findings"][0].update(kind="virus"), r"findings\[0\].kind: unknown kind 'virus'"),
        (lambda d: d["findings"][1]["rule"].pop("id"), r"findings\[1\].rule.id: is required"),
        (lambda d: d["findings"][0]["location"]["region"].update(start_line=0), r"region.start_line: must be ≥ 1"),
        (lambda d: d["findings"][0].update(score="high"), r"findings\[0\].score: expected a number"),
        (lambda d: d.update(findings={}), r"findings: expected a list"),
        (lambda d: d["suppressed"][0]["suppression"].update(kind="magic"), r"unknown suppression kind 'magic'"),
    ],
)
def test_parse_errors_name_the_field(mutate, message):
    doc = report_to_dict(sample())
    mutate(doc)
    with pytest.raises(InputError, match=message):
        report_from_dict(doc, source="upload.json")


def test_parse_rejects_non_objects():
    with pytest.raises(InputError, match="expected an object"):
        report_from_dict([1, 2, 3])
