"""CycloneDX 1.6 and SPDX 2.3 output, validated against the official JSON schemas."""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from garrison.formats.base import WriteOptions, get_writer
from garrison.pipeline import ScanOutcome, ScanRequest, run_scan

REPO = Path(__file__).resolve().parents[2]
VENDORED = REPO / "examples" / "advisories"
FIXTURES = REPO / "tests" / "fixtures" / "deps"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from garrison.advisories.ingest import import_path

    db = tmp_path_factory.mktemp("sbom") / "a.db"
    import_path(db, VENDORED)
    return db


def scan(path: Path, db: Path, **kw: Any) -> ScanOutcome:
    return run_scan(ScanRequest(path=path, analyzers=("deps",), options={"deps": {"db": str(db)}}, jobs=1, **kw))


def render(name: str, outcome: ScanOutcome) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(get_writer(name).write(outcome.report, outcome.decision, WriteOptions()))
    return data


def test_cyclonedx_is_valid_1_6_with_vulnerabilities(demo_db: Path) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    outcome = scan(REPO / "examples" / "insecure-app", demo_db)
    body = get_writer("cyclonedx").write(outcome.report, outcome.decision, WriteOptions())
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(body.decode()) is None
    doc = json.loads(body)
    assert doc["bomFormat"] == "CycloneDX" and doc["specVersion"] == "1.6"
    purls = {c["purl"] for c in doc["components"]}
    assert "pkg:pypi/flask@0.12.2" in purls and len(purls) == 7
    vuln = next(v for v in doc["vulnerabilities"] if v["id"] == "GHSA-562c-5r94-xh97")
    assert {r["id"] for r in vuln["references"]} == {"CVE-2018-1000656", "PYSEC-2018-66"}
    assert vuln["affects"] == [{"ref": "pkg:pypi/flask@0.12.2", "versions": [{"version": "0.12.2"}]}]
    assert "0.12.3" in vuln["recommendation"]
    scored = [v for v in doc["vulnerabilities"] if v["ratings"][0].get("score") is not None]
    assert scored and all(v["ratings"][0]["method"].startswith("CVSSv") for v in scored)
    assert len(doc["vulnerabilities"]) == len({f.rule.id for f in outcome.report.findings})
    assert "timestamp" not in doc["metadata"]
    again = get_writer("cyclonedx").write(outcome.report, outcome.decision, WriteOptions())
    assert again == body  # deterministic


def test_cyclonedx_graph_for_a_lockfile(demo_db: Path) -> None:
    doc = render("cyclonedx", scan(FIXTURES / "npm3", demo_db))
    assert len(doc["components"]) == 55
    root = next(d for d in doc["dependencies"] if d["ref"] == "garrison:target")
    assert {x.split("@")[0] for x in root["dependsOn"]} >= {"pkg:npm/express", "pkg:npm/lodash"}
    lodash = next(c for c in doc["components"] if c["name"] == "lodash")
    props = {p["name"]: p["value"] for p in lodash["properties"]}
    assert props["garrison:dependency"] == "direct" and props["garrison:manifest"] == "package-lock.json"
    minimist = next(c for c in doc["components"] if c["name"] == "minimist")
    assert minimist["scope"] == "optional"  # a dev dependency


def spdx_schema() -> dict[str, Any]:
    text = (importlib.resources.files("lib4sbom") / "schemas" / "spdx" / "2.3-schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    assert schema["title"] == "SPDX 2.3"
    return schema


def test_spdx_is_valid_2_3(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    outcome = scan(FIXTURES / "npm3", demo_db)
    doc = render("spdx", outcome)
    jsonschema.validators.validator_for(spdx_schema())(spdx_schema()).validate(doc)
    assert doc["creationInfo"]["created"] == "2023-11-14T22:13:20Z"
    assert len(doc["packages"]) == 56  # the project + 55 packages
    lodash = next(p for p in doc["packages"] if p["name"] == "lodash")
    assert lodash["externalRefs"][0]["referenceLocator"] == "pkg:npm/lodash@4.17.4"
    # the SPDX reference implementation parses and validates it too
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    path = tmp_path / "x.spdx.json"
    path.write_text(json.dumps(doc))
    assert validate_full_spdx_document(parse_file(str(path))) == []


def test_spdx_carries_advisories(demo_db: Path) -> None:
    doc = render("spdx", scan(REPO / "examples" / "insecure-app", demo_db))
    jsonschema.validators.validator_for(spdx_schema())(spdx_schema()).validate(doc)
    flask = next(p for p in doc["packages"] if p["name"] == "flask")
    sec = [r["referenceLocator"] for r in flask["externalRefs"] if r["referenceCategory"] == "SECURITY"]
    assert "https://github.com/advisories/GHSA-562c-5r94-xh97" in sec
