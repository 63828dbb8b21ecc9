"""Findings API: filters, sort and cursor pagination, triage, accepted-risk expiry, SLA, metrics, EPSS/KEV."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from garrison.core.finding import FindingKind
from tests.server.conftest import FakeClock, Tokens, bearer
from tests.server.reports import finding, many, report


def get(client: Any, url: str, token: str, **params: Any) -> Any:
    r = client.get(url, params=params, headers=bearer(token))
    assert r.status_code == 200, r.text
    return r.json()


def test_filters_and_cursor_pagination_walk_every_finding_once(upload: Any, client: Any, tokens: Tokens) -> None:
    upload(report(many(120), analyzers=("deps",)))
    url = "/api/v1/projects/web/findings"
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 25, "sort": "-severity"}
        if cursor:
            params["cursor"] = cursor
        page = get(client, url, tokens.reader, **params)
        assert page["total"] == 120
        seen += [i["id"] for i in page["items"]]
        sev = [i["severity"] for i in page["items"]]
        order = ["critical", "high", "medium", "low", "info"]
        assert [order.index(s) for s in sev] == sorted(order.index(s) for s in sev)
        cursor = page["next_cursor"]
        pages += 1
        if not cursor:
            break
    assert pages == 5 and len(seen) == 120 and len(set(seen)) == 120
    high = get(client, url, tokens.reader, severity="high,critical", limit=500)
    assert high["total"] == 48 and {i["severity"] for i in high["items"]} == {"high", "critical"}
    assert get(client, url, tokens.reader, rule="pkg-rule-4")["total"] == 2  # i = 4, 44 (84 is a CVE rule)
    assert get(client, url, tokens.reader, package="pkg7")["total"] == 1
    assert get(client, url, tokens.reader, kind="vulnerability")["total"] == 120
    assert get(client, url, tokens.reader, kind="secret")["total"] == 0
    assert get(client, url, tokens.reader, status="active")["total"] == 120
    assert get(client, url, tokens.reader, branch="main")["total"] == 120
    assert get(client, url, tokens.reader, branch="dev")["total"] == 0
    assert get(client, url, tokens.reader, q="file11")["total"] == 11  # file11 and file110..119
    for sort in ("due", "-due", "-last_seen", "first_seen", "id", "severity"):
        page = get(client, url, tokens.reader, sort=sort, limit=50)
        nxt = get(client, url, tokens.reader, sort=sort, limit=50, cursor=page["next_cursor"])
        assert not {i["id"] for i in page["items"]} & {i["id"] for i in nxt["items"]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "bogus"}, "status"),
        ({"severity": "catastrophic"}, "severity"),
        ({"kind": "weird"}, "kind"),
        ({"sort": "name"}, "sort"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_filters_are_422_naming_the_field(
    upload: Any, client: Any, tokens: Tokens, params: Any, field: str
) -> None:
    upload(report([finding()]))
    r = client.get("/api/v1/projects/web/findings", params=params, headers=bearer(tokens.reader))
    assert r.status_code == 422 and r.json()["field"] == field


def test_triage_actions_history_and_bulk(upload: Any, client: Any, tokens: Tokens) -> None:
    upload(report([finding("r1", "a.py"), finding("r2", "b.py"), finding("r3", "c.py")]))
    items = get(client, "/api/v1/projects/web/findings", tokens.reader, sort="id")["items"]
    a, b, c = (i["id"] for i in items)

    def post(url: str, body: dict[str, Any]) -> Any:
        return client.post(url, json=body, headers=bearer(tokens.writer))

    r = post(f"/api/v1/findings/{a}/triage", {"status": "false_positive", "reason": "test fixture key"})
    assert r.status_code == 200
    r = post(f"/api/v1/findings/{b}/triage", {"status": "duplicate", "reason": "same as a", "duplicate_of": a})
    assert r.status_code == 200
    r = post(f"/api/v1/findings/{c}/triage", {"status": "accepted_risk", "reason": "internal only"})
    assert r.status_code == 422 and r.json()["field"] == "approver"
    r = post(f"/api/v1/findings/{c}/triage", {"status": "duplicate", "reason": "x", "duplicate_of": 999999})
    assert r.status_code == 422 and r.json()["field"] == "duplicate_of"
    detail = get(client, f"/api/v1/findings/{b}", tokens.reader)
    assert detail["status"] == "duplicate" and detail["triage"]["duplicate_of"] == a
    hist = get(client, f"/api/v1/findings/{a}/history", tokens.reader)["items"]
    assert hist[-1]["action"] == "triage" and hist[-1]["to"] == "false_positive"
    assert hist[-1]["actor"] == "token:ci-web" and hist[-1]["reason"] == "test fixture key"
    # triage survives an identical reupload
    upload(report([finding("r1", "a.py"), finding("r2", "b.py"), finding("r3", "c.py")]))
    assert get(client, f"/api/v1/findings/{a}", tokens.reader)["status"] == "false_positive"
    # bulk: all or nothing
    r = post("/api/v1/projects/web/findings/triage", {"ids": [a, b, 424242], "status": "reopened", "reason": "r"})
    assert r.status_code == 404
    assert get(client, f"/api/v1/findings/{a}", tokens.reader)["status"] == "false_positive"
    r = post("/api/v1/projects/web/findings/triage", {"ids": [a, b], "status": "reopened", "reason": "review"})
    assert r.status_code == 200 and sorted(r.json()["updated"]) == sorted([a, b])
    assert {get(client, f"/api/v1/findings/{i}", tokens.reader)["status"] for i in (a, b)} == {"reopened"}


def test_accepted_risk_expires_and_reopens(upload: Any, client: Any, tokens: Tokens, clock: FakeClock) -> None:
    upload(report([finding("r1", "a.py")]))
    fid = get(client, "/api/v1/projects/web/findings", tokens.reader)["items"][0]["id"]
    body = {"status": "accepted_risk", "reason": "WAF rule", "approver": "cso", "expires": "2026-03-10"}
    assert client.post(f"/api/v1/findings/{fid}/triage", json=body, headers=bearer(tokens.writer)).status_code == 200
    clock.advance(days=5)
    upload(report([finding("r1", "a.py")]))
    assert get(client, f"/api/v1/findings/{fid}", tokens.reader)["status"] == "accepted_risk"
    clock.advance(days=5)  # 2026-03-12 > expiry
    upload(report([finding("r1", "a.py")]))
    item = get(client, f"/api/v1/findings/{fid}", tokens.reader)
    assert item["status"] == "reopened"
    last = get(client, f"/api/v1/findings/{fid}/history", tokens.reader)["items"][-1]
    assert (last["actor"], last["from"], last["to"]) == ("system", "accepted_risk", "reopened")
    assert "expired on 2026-03-10" in last["reason"]


def test_background_expiry_without_uploads(
    app: Any, upload: Any, client: Any, tokens: Tokens, clock: FakeClock
) -> None:
    from garrison.server.app import _expire_once

    upload(report([finding("r1", "a.py")]))
    fid = get(client, "/api/v1/projects/web/findings", tokens.reader)["items"][0]["id"]
    body = {"status": "accepted_risk", "reason": "r", "approver": "a", "expires": "2026-03-03"}
    client.post(f"/api/v1/findings/{fid}/triage", json=body, headers=bearer(tokens.writer))
    assert _expire_once(app) == 0
    clock.advance(days=3)
    assert _expire_once(app) == 1
    assert get(client, f"/api/v1/findings/{fid}", tokens.reader)["status"] == "reopened"


def test_sla_due_dates_overdue_filter_and_policy_change(
    upload: Any, client: Any, tokens: Tokens, clock: FakeClock
) -> None:
    upload(report([finding("c", "c.py", severity="critical"), finding("l", "l.py", severity="low")]))
    url = "/api/v1/projects/web/findings"
    items = {i["severity"]: i for i in get(client, url, tokens.reader)["items"]}
    assert items["critical"]["due_at"] == "2026-03-09T09:00:00Z"
    assert items["low"]["due_at"] == "2026-08-29T09:00:00Z"
    assert get(client, url, tokens.reader, overdue="true")["total"] == 0
    clock.advance(days=8)
    overdue = get(client, url, tokens.reader, overdue="true")
    assert [i["severity"] for i in overdue["items"]] == ["critical"] and overdue["items"][0]["sla_breached"]
    projects = get(client, "/api/v1/projects", tokens.reader)["items"]
    assert projects[0]["overdue"] == 1 and projects[0]["open"]["critical"] == 1
    r = client.patch("/api/v1/projects/web", json={"sla_days": {"critical": 30}}, headers=bearer(tokens.admin))
    assert r.status_code == 200 and r.json()["sla_days"]["critical"] == 30 and r.json()["overdue"] == 0
    r = client.patch("/api/v1/projects/web", json={"sla_days": {"critical": 0}}, headers=bearer(tokens.admin))
    assert r.status_code == 422 and r.json()["field"] == "sla_days.critical"


def test_metrics(upload: Any, client: Any, tokens: Tokens, clock: FakeClock) -> None:
    upload(
        report([finding("a", "a.py", severity="critical"), finding("b", "b.py"), finding("c", "c.py", severity="low")])
    )
    clock.advance(days=10)
    upload(report([finding("c", "c.py", severity="low")]))  # a (critical, due in 7 days) and b fixed
    m = get(client, "/api/v1/projects/web/metrics", tokens.reader)
    assert m["open_by_severity"] == {"critical": 0, "high": 0, "medium": 0, "low": 1, "info": 0}
    assert m["open_total"] == 1 and m["by_status"] == {"open": 1, "fixed": 2}
    assert m["mean_time_to_fix_days"] == pytest.approx(10.0)
    assert m["sla_breaches"]["critical"] == {"open_overdue": 0, "fixed_late": 1}
    weeks = {w["week_start"][:10]: w for w in m["weeks"]}
    assert weeks["2026-03-02"]["opened"] == 3 and weeks["2026-03-09"]["closed"] == 2
    assert [p["open"] for p in m["open_over_time"]] == [3, 1]
    r = client.get("/api/v1/projects/web/metrics", params={"weeks": 0}, headers=bearer(tokens.reader))
    assert r.status_code == 422


def test_epss_kev_import_and_priority_explanation(upload: Any, client: Any, tokens: Tokens) -> None:
    vuln = finding(
        "x",
        "requirements.txt",
        analyzer="deps",
        cve="CVE-2021-44228",
        kind=FindingKind.VULNERABILITY,
        purl="pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        fix=True,
        severity="critical",
        score=10.0,
    )
    upload(report([vuln], analyzers=("deps",)))
    epss = (
        b"#model_version:v2025.03.14,score_date:2026-03-01T00:00:00+0000\n"
        b"cve,epss,percentile\nCVE-2021-44228,0.94358,0.99961\n"
    )
    kev = {
        "vulnerabilities": [
            {
                "cveID": "CVE-2021-44228",
                "vulnerabilityName": "Apache Log4j2 RCE",
                "dateAdded": "2021-12-10",
                "dueDate": "2021-12-24",
                "knownRansomwareCampaignUse": "Known",
            }
        ]
    }
    h = bearer(tokens.admin)
    assert client.post("/api/v1/intel/epss", content=epss, headers=h).json() == {"imported": 1}
    assert client.post("/api/v1/intel/kev", content=json.dumps(kev), headers=h).json() == {"imported": 1}
    fid = get(client, "/api/v1/projects/web/findings", tokens.reader)["items"][0]["id"]
    item = get(client, f"/api/v1/findings/{fid}", tokens.reader)
    assert item["cve"] == "CVE-2021-44228" and item["kev"] and item["epss"] == pytest.approx(0.94358)
    assert item["priority"] == "P1" and item["priority_score"] == 100.0
    assert any("CISA KEV" in r for r in item["priority_reasons"])
    assert any("EPSS 0.944" in r for r in item["priority_reasons"])
    assert item["kev_entry"]["ransomware"] is True
    bad = client.post("/api/v1/intel/epss", content=b"cve,score\nCVE-1,x\n", headers=h)
    assert bad.status_code == 422 and "cve,epss,percentile" in bad.json()["error"]
    # the failed import kept the previous scores
    assert get(client, f"/api/v1/findings/{fid}", tokens.reader)["epss"] == pytest.approx(0.94358)


def test_finding_detail_404_for_unknown_and_422_for_bad_ids(client: Any, tokens: Tokens) -> None:
    assert client.get("/api/v1/findings/12345", headers=bearer(tokens.admin)).status_code == 404
    assert client.get("/api/v1/findings/abc", headers=bearer(tokens.admin)).status_code == 422
    assert client.get("/api/v1/findings/0", headers=bearer(tokens.admin)).status_code == 422
    assert client.get("/api/v1/projects/nope/findings", headers=bearer(tokens.admin)).status_code == 404


def test_dates_are_utc(clock: FakeClock) -> None:
    assert clock() == dt.datetime(2026, 3, 2, 9, 0)
