"""run_hunt with workers: the parent's warm-up builds the routes the workers inherit, and the answer (alerts,
coverage, input statistics) does not depend on --jobs."""

from __future__ import annotations

from pathlib import Path

import pytest

from garrison.detect import hunt
from garrison.detect import sources as src
from garrison.detect.detector import Detector
from tests.detect.helpers import ruleset

LOGS = Path(__file__).resolve().parent.parent / "fixtures" / "detect" / "logs"


def _rules(corpus: Path) -> tuple[Path, ...]:
    base = corpus / "sigma" / "rules"
    return tuple(base / d for d in ("linux/auditd", "web", "cloud/aws"))


def test_warm_up_builds_routes_in_the_parent_and_skips_stdin(corpus: Path) -> None:
    rs = ruleset(
        "title: t\nid: 00000000-0000-0000-0000-000000000001\nlogsource:\n    category: webserver\n"
        "detection:\n    sel:\n        cs-uri-query|contains: 'etc/passwd'\n    condition: sel\n"
    )
    det = Detector(rs)
    tasks = [
        hunt._Task(src.LogInput("-", "-"), "weblog"),
        hunt._Task(src.LogInput(str(LOGS / "access.log"), "a"), None),
    ]
    hunt._warm_up(det, tasks)
    assert det._routes, "the warm-up matched the file's events"
    assert all(r.events <= hunt.WARM_EVENTS for r in det._routes.values())


def test_jobs_two_splits_and_gives_the_same_outcome(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "access.log"
    lines = (LOGS / "access.log").read_text().splitlines()
    big.write_text("\n".join(lines[i % len(lines)] for i in range(6000)) + "\n")
    monkeypatch.setattr(hunt, "SPLIT_MIN", 1024)
    monkeypatch.setattr(hunt, "WARM_EVENTS", 500)  # a warm-up that ends inside the file: workers go on learning
    outcomes = []
    for jobs in (1, 2):
        req = hunt.HuntRequest(_rules(corpus), (str(big), str(LOGS / "audit.log")), jobs=jobs, cache=False)
        outcomes.append(hunt.run_hunt(req))
    one, two = outcomes
    assert [a.id for a in one.alerts] == [a.id for a in two.alerts] and len(one.alerts) >= 1000
    assert one.events == two.events == sum(s.events for s in two.inputs) > 4000
    assert one.inputs[0].events + one.inputs[0].corrupt == 6000
    assert [(s.origin, s.events, s.corrupt) for s in one.inputs] == [
        (s.origin, s.events, s.corrupt) for s in two.inputs
    ]
    assert [(r.rule_id, r.state, r.events) for r in one.coverage.rules] == [
        (r.rule_id, r.state, r.events) for r in two.coverage.rules
    ]


def test_regex_time_bound_hits_are_counted_once_whatever_the_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A look-ahead regex (RE2 refuses it, the bounded engine runs it) that backtracks exponentially on every event:
    each evaluation hits the time bound and is reported — also when workers did the matching."""
    rule = tmp_path / "slow.yml"
    rule.write_text(
        "title: slow\nid: 00000000-0000-0000-0000-0000000000b1\nlogsource:\n    category: webserver\n"
        "detection:\n    sel:\n        cs-uri-query|re: '(?=a)(a|aa)+c'\n    condition: sel\n"
    )
    log = tmp_path / "access.log"
    line = '10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] "GET /x?' + "a" * 60 + ' HTTP/1.1" 200 5 "-" "curl/8.0"\n'
    log.write_text(line * 6)
    monkeypatch.setattr(hunt, "SPLIT_MIN", 64)
    monkeypatch.setattr(hunt, "WARM_EVENTS", 1)
    for jobs in (1, 2):
        out = hunt.run_hunt(hunt.HuntRequest((rule,), (str(log),), jobs=jobs, cache=False))
        assert out.events == 6 and not out.alerts
        assert [w for w in out.warnings if "time bound" in w] == [
            "6 regular-expression evaluation(s) hit the time bound and counted as no match"
        ], out.warnings
