"""Uploading scans through the API, on SQLite and PostgreSQL: reimport semantics, bad input, atomicity,
concurrency, query budget."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from garrison.core.report import AnalyzerError
from tests.server.conftest import Tokens, bearer, dump, table_counts
from tests.server.reports import finding, many, report


def findings_of(client: Any, token: str, project: str = "web", **params: Any) -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/projects/{project}/findings", params={"limit": 500, **params}, headers=bearer(token))
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def test_garrison_report_upload_then_identical_reupload_changes_nothing(
    upload: Any, client: Any, tokens: Tokens, engine: Any
) -> None:
    body = report([finding("r1", "a.py"), finding("r2", "b.py", severity="critical")])
    r = upload(body)
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["new"] == 2 and first["project_created"] and first["open"] == 2
    before = dump(engine)
    r = upload(body)
    again = r.json()
    assert (again["new"], again["fixed"], again["reopened"], again["updated"], again["status_changes"]) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert again["unchanged"] == 2
    after = dump(engine)
    # only the new scan row, its occurrences and last-seen columns differ; no event, no status, no branch change
    assert after["finding_events"] == before["finding_events"]
    assert after["finding_branches"] == before["finding_branches"]
    assert len(after["scans"]) == len(before["scans"]) + 1
    items = findings_of(client, tokens.reader)
    assert sorted(i["status"] for i in items) == ["open", "open"]


def test_absent_finding_is_fixed_and_reopens_with_history(upload: Any, client: Any, tokens: Tokens) -> None:
    a, b = finding("r1", "a.py"), finding("r2", "b.py")
    upload(report([a, b]))
    r = upload(report([a]))
    assert r.json()["fixed"] == 1
    fixed = [i for i in findings_of(client, tokens.reader) if i["status"] == "fixed"]
    assert [i["path"] for i in fixed] == ["b.py"] and fixed[0]["fixed_at"]
    r = upload(report([a, b]))
    assert r.json()["reopened"] == 1
    fid = fixed[0]["id"]
    hist = client.get(f"/api/v1/findings/{fid}/history", headers=bearer(tokens.reader)).json()["items"]
    assert [(h["action"], h["from"], h["to"]) for h in hist] == [
        ("created", None, "open"),
        ("status", "open", "fixed"),
        ("status", "fixed", "reopened"),
    ]
    assert all(h["actor"] == "token:ci-web" and h["at"] for h in hist)


def test_other_branch_and_other_analyzers_never_close(upload: Any, client: Any, tokens: Tokens) -> None:
    s = finding("r1", "a.py", analyzer="secrets")
    d = finding(
        "d1",
        "req.txt",
        analyzer="deps",
        kind=__import__("garrison.core.finding").core.finding.FindingKind.VULNERABILITY,
    )
    upload(report([s, d], analyzers=("secrets", "deps")))
    r = upload(report([], analyzers=("secrets", "deps")), branch="feature")
    assert r.json()["fixed"] == 0
    r = upload(report([], analyzers=("iac",)))
    assert r.json()["fixed"] == 0
    r = upload(report([s], analyzers=("secrets",)))
    assert r.json()["fixed"] == 0
    r = upload(report([], analyzers=("secrets", "deps")), partial="true")
    assert r.json()["fixed"] == 0
    assert sorted(i["status"] for i in findings_of(client, tokens.reader)) == ["open", "open"]
    # a failed analyzer closes nothing either
    crashed = report([], analyzers=("secrets",), errors={"secrets": [AnalyzerError("boom", kind="internal")]})
    assert upload(crashed).json()["fixed"] == 0
    # a file the analyzer could not read keeps its findings
    unreadable = report([], analyzers=("secrets",), errors={"secrets": [AnalyzerError("bad utf-8", path="a.py")]})
    assert upload(unreadable).json()["fixed"] == 0
    assert upload(report([], analyzers=("secrets",))).json()["fixed"] == 1


def test_changed_fields_are_updated_and_recorded(upload: Any, client: Any, tokens: Tokens) -> None:
    upload(report([finding("r1", "a.py", severity="low", line=3)]))
    r = upload(report([finding("r1", "a.py", severity="critical", line=9, fix=True)]))
    assert r.json()["updated"] == 1 and r.json()["status_changes"] == 0
    item = findings_of(client, tokens.reader)[0]
    assert (item["severity"], item["line"], item["fix_available"]) == ("critical", 9, True)
    hist = client.get(f"/api/v1/findings/{item['id']}/history", headers=bearer(tokens.reader)).json()["items"]
    changed = {(h["field"], h["from"], h["to"]) for h in hist if h["action"] == "changed"}
    assert changed == {
        ("severity", "low", "critical"),
        ("line", "3", "9"),
        ("fix_available", "false", "true"),
        ("fix_versions", "[]", '["2.0"]'),
    }
    # the due date follows the new severity (critical: 7 days from first seen)
    assert item["due_at"] == "2026-03-09T09:00:00Z"


def test_sarif_upload_uses_stable_fingerprints(upload: Any, corpus: Path) -> None:
    raw = (corpus / "scan-reports/sarif/codeQL-output.sarif").read_bytes()
    r = upload(raw)
    assert r.status_code == 201, r.text
    assert r.json()["format"] == "sarif" and r.json()["new"] == 72 and r.json()["analyzers"] == ["codeql"]
    # the same log with every line number shifted: the same findings, only their lines change
    doc = json.loads(raw)
    for res in doc["runs"][0]["results"]:
        for loc in res.get("locations", []):
            reg = loc.get("physicalLocation", {}).get("region")
            if reg and "startLine" in reg:
                reg["startLine"] += 5
    again = upload(json.dumps(doc).encode()).json()
    assert again["new"] == 0 and again["fixed"] == 0 and again["updated"] == 72


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        (b"", 400, "empty body"),
        (b"{not json", 400, "malformed JSON"),
        (b"\xff\xfe", 400, "UTF-8"),
        (b"[" * 100_000, 400, "nested too deeply"),
        (b'{"format": "garrison-report", "score": NaN}', 400, "NaN is not JSON"),
        (b'{"runs": [], "x": -Infinity}', 400, "-Infinity is not JSON"),
        (b'{"hello": 1}', 422, "not a Garrison JSON report"),
        (b'{"format": "garrison-report", "schema_version": "1.0"}', 422, "tool: is required"),
        (b'{"format": "garrison-report", "schema_version": "9.0", "tool": {}, "target": {}}', 422, "schema_version"),
        (b'{"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}', 422, "runs[0].tool.driver.name"),
        (
            b'{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": 5}]}]}',
            422,
            "runs[0].results[0].ruleId",
        ),
    ],
)
def test_bad_uploads_are_4xx_with_a_clear_message_and_store_nothing(
    upload: Any, engine: Any, body: bytes, status: int, needle: str
) -> None:
    upload(report([finding("r1", "a.py")]))
    before = dump(engine)
    r = upload(body)
    assert r.status_code == status, r.text
    assert needle in r.json()["error"]
    assert dump(engine) == before


def test_field_errors_from_the_report_parser_name_the_field(upload: Any) -> None:
    body = report([finding("r1", "a.py")])
    body["findings"][0]["severity"] = "catastrophic"
    r = upload(body)
    assert r.status_code == 422
    assert r.json()["field"] == "findings[0].severity"


def test_oversized_body_is_413(app: Any, upload: Any, engine: Any) -> None:
    app.state.settings = app.state.settings.with_(max_upload_bytes=1000)
    before = table_counts(engine)
    r = upload(report(many(20)))
    assert r.status_code == 413 and "exceeds the limit" in r.json()["error"]
    assert table_counts(engine) == before


def test_unknown_project_for_a_token_that_may_not_create_it(upload: Any, tokens: Tokens, engine: Any) -> None:
    before = table_counts(engine)
    r = upload(report([finding()]), project="elsewhere", token=tokens.writer)
    assert r.status_code == 403
    r = upload(report([finding()]), project="web", token=tokens.reader)
    assert r.status_code == 403
    r = upload(report([finding()]), project="bad name!", token=tokens.admin)
    assert r.status_code == 422
    assert table_counts(engine) == before


@pytest.mark.parametrize("step", ["project", "planned", "inserted", "updated", "occurrences", "done"])
def test_failure_mid_import_leaves_the_database_exactly_as_it_was(
    app: Any, upload: Any, engine: Any, step: str
) -> None:
    upload(report([finding("r1", "a.py"), finding("r2", "b.py", severity="low")]))
    before = dump(engine)

    def hook(at: str) -> None:
        if at == step:
            raise RuntimeError(f"simulated crash at {at}")

    app.state.upload_hook = hook
    changed = report([finding("r1", "a.py", severity="critical"), finding("r3", "c.py")])
    with pytest.raises(RuntimeError, match="simulated crash"):
        upload(changed)
    assert dump(engine) == before
    app.state.upload_hook = None
    assert upload(changed).json()["new"] == 1


def test_concurrent_uploads_to_one_project_serialize(app: Any, tokens: Tokens, engine: Any) -> None:
    from fastapi.testclient import TestClient

    bodies = [json.dumps(report(many(150, prefix=f"p{i % 2}"), analyzers=("deps",))).encode() for i in range(6)]
    results: list[Any] = []
    errors: list[BaseException] = []

    def worker(body: bytes) -> None:
        try:
            with TestClient(app) as c:
                r = c.post(
                    "/api/v1/projects/race/scans",
                    content=body,
                    params={"branch": "main"},
                    headers=bearer(tokens.writer_any),
                )
                results.append((r.status_code, r.json()))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert [s for s, _ in results] == [201] * 6, results
    # serial semantics: the project was created once, each fingerprint exists once, and the two alternating
    # reports (same analyzer, same branch) leave exactly the last one's 150 findings open
    counts = table_counts(engine)
    assert counts["projects"] == 1 and counts["scans"] == 6
    assert counts["findings"] == 300
    assert sum(1 for _, j in results if j["project_created"]) == 1
    with TestClient(app) as c:
        m = c.get("/api/v1/projects/race/metrics", headers=bearer(tokens.admin)).json()
    assert m["open_total"] == 150


def test_queries_per_upload_do_not_grow_with_findings(
    app: Any, upload: Any, engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = {"n": 0}

    def count(*_a: Any) -> None:
        counter["n"] += 1

    from garrison.server import db
    from garrison.server.findings import repository

    real_bulk = db.bulk_insert

    def counted_bulk(*args: Any) -> None:  # COPY / raw executemany: one round trip each
        counter["n"] += 1
        real_bulk(*args)

    monkeypatch.setattr(repository, "bulk_insert", counted_bulk)
    event.listen(engine, "before_cursor_execute", count)
    try:
        per_size = {}
        for n in (10, 1000):
            prefix = f"q{n}"
            counter["n"] = 0
            upload(report(many(n, prefix=prefix), analyzers=("deps",)), project=f"qc{n}")  # first upload: all new
            first = counter["n"]
            changed = many(n, prefix=prefix)
            counter["n"] = 0
            r = upload(report(changed[: n // 2], analyzers=("deps",)), project=f"qc{n}")  # half fixed
            assert r.json()["fixed"] == n - n // 2
            second = counter["n"]
            per_size[n] = (first, second)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert per_size[10] == per_size[1000], per_size
    assert max(per_size[1000]) <= 30, per_size


def test_concurrent_triage_and_uploads_do_not_fail(app: Any, upload: Any, tokens: Tokens) -> None:
    from fastapi.testclient import TestClient

    upload(report(many(60), analyzers=("deps",)))
    with TestClient(app) as c:
        ids = [
            i["id"]
            for i in c.get("/api/v1/projects/web/findings", params={"limit": 60}, headers=bearer(tokens.reader)).json()[
                "items"
            ]
        ]
    body = json.dumps(report(many(60), analyzers=("deps",))).encode()
    statuses: list[int] = []

    def do_upload() -> None:
        with TestClient(app) as c:
            statuses.append(
                c.post(
                    "/api/v1/projects/web/scans", content=body, params={"branch": "main"}, headers=bearer(tokens.writer)
                ).status_code
            )

    def do_triage(fid: int) -> None:
        with TestClient(app) as c:
            statuses.append(
                c.post(
                    f"/api/v1/findings/{fid}/triage",
                    json={"status": "false_positive", "reason": "x"},
                    headers=bearer(tokens.writer),
                ).status_code
            )

    threads = [threading.Thread(target=do_upload) for _ in range(3)]
    threads += [threading.Thread(target=do_triage, args=(fid,)) for fid in ids[:6]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(statuses) == [200] * 6 + [201] * 3


def test_extreme_values_are_stored_or_refused_never_a_server_error(upload: Any, client: Any, tokens: Tokens) -> None:
    long = "x" * 5000
    f = finding("r" * 1000, "p/" * 2000, analyzer="a" * 300, cve="CVE-2024-" + "9" * 60, purl="pkg:pypi/" + long + "@1")
    body = report([f], analyzers=("a" * 300,))
    body["findings"][0]["location"]["package_version"] = long
    body["findings"][0]["score"] = 1e308
    body["findings"][0]["fix"]["versions"] = [long] * 500
    r = upload(body, commit="c" * 100, branch="b" * 250)
    assert r.status_code == 201, r.text
    item = client.get("/api/v1/projects/web/findings", headers=bearer(tokens.reader)).json()["items"][0]
    assert len(item["rule_id"]) <= 300 and len(item["package"] or "") <= 300 and item["cve"] is None
    body["findings"][0]["location"]["region"]["start_line"] = 2**40
    r = upload(body)
    assert r.status_code == 422 and r.json()["field"] == "findings[0].location.region.start_line"
    assert upload(report([]), commit="c" * 101).status_code == 422
    assert upload(report([]), branch="b" * 251).status_code == 422


def test_nul_and_lone_surrogates_are_stored_replaced(upload: Any, client: Any, tokens: Tokens) -> None:
    raw = json.dumps(report([finding("r1", "a.py")])).replace(
        '"r1 in a.py"', '"bad \\u0000 text \\ud800 \\ud83d\\ude00"'
    )
    assert "\\u0000" in raw
    r = upload(raw.encode())
    assert r.status_code == 201, r.text
    item = client.get("/api/v1/projects/web/findings", headers=bearer(tokens.reader)).json()["items"][0]
    assert item["message"] == "bad \ufffd text \ufffd \U0001f600"
