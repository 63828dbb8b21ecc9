"""Correlation rules end to end (rules -> JSON events -> hunt), including the bug classes other engines shipped:
events outside the window counted, order ignored for temporal_ordered, group-by ignored."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from garrison.core.alert import Alert
from garrison.detect.correlate import percentile
from garrison.detect.hunt import HuntRequest, run_hunt

BASE = """\
title: Failed logon
id: 5c8a1f4e-0000-4000-8000-000000000001
name: failed_logon
status: test
level: low
logsource:
    product: windows
    service: security
detection:
    sel:
        EventID: 4625
    condition: sel
---
title: Successful logon
id: 5c8a1f4e-0000-4000-8000-000000000002
name: good_logon
status: test
level: low
logsource:
    product: windows
    service: security
detection:
    sel:
        EventID: 4624
    condition: sel
---
title: Share access
id: 5c8a1f4e-0000-4000-8000-000000000003
name: share_access
status: test
level: low
logsource:
    product: windows
    service: security
detection:
    sel:
        EventID: 5140
    condition: sel
"""

T0 = 1_700_000_000


def _ev(eid: int, t: float, **fields: Any) -> dict[str, Any]:
    from datetime import UTC, datetime

    ts = datetime.fromtimestamp(T0 + t, tz=UTC).isoformat().replace("+00:00", "Z")
    return {"EventID": eid, "Channel": "Security", "Computer": "DC01", "TimeCreated": ts, **fields}


def hunt(tmp_path: Path, correlation: str, events: list[dict[str, Any]], base: str = BASE) -> list[Alert]:
    rules = tmp_path / "rules.yml"
    rules.write_text(base + "---\n" + textwrap.dedent(correlation))
    log = tmp_path / "events.jsonl"
    log.write_text("".join(json.dumps(e) + "\n" for e in events))
    out = run_hunt(HuntRequest(rules=(rules,), logs=(str(log),), cache=False))
    return out.alerts


def corr(alerts: list[Alert]) -> list[Alert]:
    return [a for a in alerts if a.kind == "correlation"]


EVENT_COUNT = """\
title: Brute force
id: 5c8a1f4e-0000-4000-8000-0000000000c1
status: test
level: high
correlation:
    type: event_count
    rules:
        - failed_logon
    group-by:
        - TargetUserName
    timespan: 60s
    condition:
        gte: 3
"""


def test_event_count_fires_at_the_inclusive_window_edge(tmp_path: Path) -> None:
    evs = [_ev(4625, t, TargetUserName="alice") for t in (0, 30, 60)]
    (a,) = corr(hunt(tmp_path, EVENT_COUNT, evs))
    assert a.rule_title == "Brute force" and a.value == 3 and dict(a.group) == {"TargetUserName": "alice"}
    assert [e.position for e in a.events] == ["1", "2", "3"]
    assert a.level == "high" and a.timestamp == "2023-11-14T22:14:20.000Z"


def test_event_count_does_not_count_events_outside_the_window(tmp_path: Path) -> None:
    evs = [_ev(4625, t, TargetUserName="bob") for t in (0, 30, 60.001)]
    assert corr(hunt(tmp_path, EVENT_COUNT, evs)) == []


def test_event_count_respects_group_by(tmp_path: Path) -> None:
    evs = [
        _ev(4625, 0, TargetUserName="alice"),
        _ev(4625, 1, TargetUserName="bob"),
        _ev(4625, 2, TargetUserName="alice"),
    ]
    assert corr(hunt(tmp_path, EVENT_COUNT, evs)) == []
    evs.append(_ev(4625, 3, TargetUserName="alice"))
    (a,) = corr(hunt(tmp_path, EVENT_COUNT, evs))
    assert dict(a.group) == {"TargetUserName": "alice"} and len(a.events) == 3


def test_event_count_sliding_window_finds_the_late_burst(tmp_path: Path) -> None:
    # 0 and 100 are far apart; 100,130,150 form the burst
    evs = [_ev(4625, t, TargetUserName="alice") for t in (0, 100, 130, 150)]
    (a,) = corr(hunt(tmp_path, EVENT_COUNT, evs))
    assert [e.position for e in a.events] == ["2", "3", "4"]


def test_event_count_windows_do_not_share_events(tmp_path: Path) -> None:
    evs = [_ev(4625, t, TargetUserName="alice") for t in range(7)]
    alerts = corr(hunt(tmp_path, EVENT_COUNT, evs))
    assert len(alerts) == 2
    assert [e.position for e in alerts[1].events] == ["4", "5", "6"]


def test_events_out_of_file_order_are_ordered_by_time(tmp_path: Path) -> None:
    evs = [_ev(4625, t, TargetUserName="alice") for t in (60, 0, 30)]
    (a,) = corr(hunt(tmp_path, EVENT_COUNT, evs))
    assert [e.position for e in a.events] == ["2", "3", "1"]


def test_generate_false_suppresses_base_alerts_and_true_keeps_them(tmp_path: Path) -> None:
    evs = [_ev(4625, t, TargetUserName="alice") for t in (0, 1, 2)]
    alerts = hunt(tmp_path, EVENT_COUNT, evs)
    assert {a.kind for a in alerts} == {"correlation"}
    alerts = hunt(tmp_path, EVENT_COUNT.replace("    timespan: 60s", "    timespan: 60s\n    generate: true"), evs)
    assert sorted(a.kind for a in alerts) == ["correlation", "detection", "detection", "detection"]


ORDERED = """\
title: Logon after failures
id: 5c8a1f4e-0000-4000-8000-0000000000c2
status: test
level: critical
correlation:
    type: temporal_ordered
    rules:
        - failed_logon
        - good_logon
    group-by:
        - TargetUserName
    timespan: 5m
"""


def test_temporal_ordered_fires_in_order(tmp_path: Path) -> None:
    evs = [_ev(4625, 0, TargetUserName="alice"), _ev(4624, 10, TargetUserName="alice")]
    (a,) = corr(hunt(tmp_path, ORDERED, evs))
    assert [e.fields["EventID"] for e in a.events] == [4625, 4624]


def test_temporal_ordered_does_not_ignore_order(tmp_path: Path) -> None:
    evs = [_ev(4624, 0, TargetUserName="alice"), _ev(4625, 10, TargetUserName="alice")]
    assert corr(hunt(tmp_path, ORDERED, evs)) == []


def test_temporal_ordered_respects_window_and_group(tmp_path: Path) -> None:
    evs = [_ev(4625, 0, TargetUserName="alice"), _ev(4624, 301, TargetUserName="alice")]
    assert corr(hunt(tmp_path, ORDERED, evs)) == []
    evs = [_ev(4625, 0, TargetUserName="alice"), _ev(4624, 10, TargetUserName="bob")]
    assert corr(hunt(tmp_path, ORDERED, evs)) == []


def test_temporal_ordered_same_timestamp_uses_arrival_order(tmp_path: Path) -> None:
    evs = [_ev(4625, 5, TargetUserName="alice"), _ev(4624, 5, TargetUserName="alice")]
    assert len(corr(hunt(tmp_path, ORDERED, evs))) == 1
    evs = [_ev(4624, 5, TargetUserName="alice"), _ev(4625, 5, TargetUserName="alice")]
    assert corr(hunt(tmp_path, ORDERED, evs)) == []


TEMPORAL = ORDERED.replace("temporal_ordered", "temporal").replace("0000000000c2", "0000000000c3")


def test_temporal_any_order(tmp_path: Path) -> None:
    evs = [_ev(4624, 0, TargetUserName="alice"), _ev(4625, 10, TargetUserName="alice")]
    assert len(corr(hunt(tmp_path, TEMPORAL, evs))) == 1
    evs = [_ev(4624, 0, TargetUserName="alice"), _ev(4625, 400, TargetUserName="alice")]
    assert corr(hunt(tmp_path, TEMPORAL, evs)) == []


def test_temporal_extended_condition_with_not(tmp_path: Path) -> None:
    rule = """\
    title: Failures without share access
    id: 5c8a1f4e-0000-4000-8000-0000000000c4
    status: test
    level: medium
    correlation:
        type: temporal
        rules:
            - failed_logon
            - share_access
        condition: failed_logon and not share_access
        group-by:
            - TargetUserName
        timespan: 1m
    """
    assert len(corr(hunt(tmp_path, rule, [_ev(4625, 0, TargetUserName="eve")]))) == 1
    evs = [_ev(5140, 0, TargetUserName="eve"), _ev(4625, 5, TargetUserName="eve")]
    assert corr(hunt(tmp_path, rule, evs)) == []


VALUE_COUNT = """\
title: Password spraying
id: 5c8a1f4e-0000-4000-8000-0000000000c5
status: test
level: high
correlation:
    type: value_count
    rules:
        - failed_logon
    group-by:
        - IpAddress
    timespan: 5m
    condition:
        field: TargetUserName
        gte: 3
"""


def test_value_count_counts_distinct_values(tmp_path: Path) -> None:
    same = [_ev(4625, t, IpAddress="203.0.113.9", TargetUserName="alice") for t in range(5)]
    assert corr(hunt(tmp_path, VALUE_COUNT, same)) == []
    spray = [_ev(4625, i, IpAddress="203.0.113.9", TargetUserName=u) for i, u in enumerate(["a", "b", "a", "c"])]
    (a,) = corr(hunt(tmp_path, VALUE_COUNT, spray))
    assert a.value == 3 and dict(a.group) == {"IpAddress": "203.0.113.9"}


def test_value_count_out_of_window_values_do_not_count(tmp_path: Path) -> None:
    spray = [_ev(4625, t, IpAddress="203.0.113.9", TargetUserName=u) for t, u in [(0, "a"), (200, "b"), (301, "c")]]
    assert corr(hunt(tmp_path, VALUE_COUNT, spray)) == []


@pytest.mark.parametrize(
    ("kind", "extra", "threshold", "sizes", "fires", "value"),
    [
        ("value_sum", "", "gte: 1000", [400, 300, 300], True, 1000.0),
        ("value_sum", "", "gte: 1000", [400, 300, 299], False, None),
        ("value_avg", "", "gt: 250", [100, 300, 400], True, 800 / 3),
        ("value_avg", "", "gt: 300", [100, 300, 500], False, None),
        ("value_median", "", "gte: 300", [100, 300, 900], True, 300.0),
        ("value_median", "", "gte: 300", [100, 299, 900], False, None),
        ("value_percentile", "        percentile: 90\n", "gte: 700", [100, 200, 300, 400, 1000], True, 760.0),
    ],
)
def test_value_aggregates(
    tmp_path: Path, kind: str, extra: str, threshold: str, sizes: list[int], fires: bool, value: float | None
) -> None:
    rule = f"""\
title: Exfil volume
id: 5c8a1f4e-0000-4000-8000-0000000000c6
status: test
level: high
correlation:
    type: {kind}
    rules:
        - share_access
    group-by:
        - SubjectUserName
    timespan: 10m
    condition:
        field: Bytes
{extra}        {threshold}
"""
    if kind == "value_percentile":
        value = percentile([float(s) for s in sizes], 90)
        threshold_ok = value >= 700
        assert threshold_ok is fires
    evs = [_ev(5140, i, SubjectUserName="svc", Bytes=s) for i, s in enumerate(sizes)]
    alerts = corr(hunt(tmp_path, rule, evs))
    if not fires:
        # the condition is evaluated at every event; only the full window may cross the threshold
        assert alerts == []
        return
    assert alerts and alerts[-1].value == pytest.approx(value)


def test_aliases_group_differently_named_fields(tmp_path: Path) -> None:
    rule = """\
    title: Failed then share by same user
    id: 5c8a1f4e-0000-4000-8000-0000000000c7
    status: test
    level: high
    correlation:
        type: temporal_ordered
        rules:
            - failed_logon
            - share_access
        aliases:
            user:
                failed_logon: TargetUserName
                share_access: SubjectUserName
        group-by:
            - user
        timespan: 1m
    """
    evs = [_ev(4625, 0, TargetUserName="mallory"), _ev(5140, 5, SubjectUserName="mallory")]
    (a,) = corr(hunt(tmp_path, rule, evs))
    assert dict(a.group) == {"user": "mallory"}
    evs = [_ev(4625, 0, TargetUserName="mallory"), _ev(5140, 5, SubjectUserName="alice")]
    assert corr(hunt(tmp_path, rule, evs)) == []


def test_chained_correlations(tmp_path: Path) -> None:
    rule = (
        EVENT_COUNT.replace("title: Brute force", "title: Brute force\nname: brute")
        + """\
---
title: Repeated brute force bursts
id: 5c8a1f4e-0000-4000-8000-0000000000c8
status: test
level: critical
correlation:
    type: event_count
    rules:
        - brute
    group-by:
        - TargetUserName
    timespan: 10m
    condition:
        gte: 2
"""
    )
    evs = [_ev(4625, t, TargetUserName="alice") for t in (0, 1, 2, 100, 101, 102)]
    alerts = corr(hunt(tmp_path, rule, evs))
    titles = sorted(a.rule_title for a in alerts)
    assert titles == ["Repeated brute force bursts"]
    assert len(alerts[0].events) == 6
    rule_generate = rule.replace("    timespan: 10m", "    timespan: 10m\n    generate: true")
    titles = sorted(a.rule_title for a in corr(hunt(tmp_path, rule_generate, evs)))
    assert titles == ["Brute force", "Brute force", "Repeated brute force bursts"]


def test_events_without_timestamp_are_reported_not_guessed(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(BASE + "---\n" + EVENT_COUNT)
    log = tmp_path / "e.jsonl"
    evs = [{"EventID": 4625, "Channel": "Security", "TargetUserName": "x"} for _ in range(3)]
    log.write_text("".join(json.dumps(e) + "\n" for e in evs))
    out = run_hunt(HuntRequest(rules=(rules,), logs=(str(log),), cache=False))
    assert out.alerts == [] and out.no_timestamp == 3
    assert any("no timestamp" in w for w in out.warnings)


def test_percentile_interpolates() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 99) == 5
    assert percentile([10, 20, 30], 100) == 30
