"""Alert model: deterministic ids, ATT&CK from tags, immutability."""

from __future__ import annotations

import dataclasses

import pytest

from garrison.core.alert import MatchedEvent, alert_to_dict, attack_from_tags, new_alert
from garrison.core.frozen import FrozenDict

META = {
    "id": "r-1",
    "title": "T",
    "level": "high",
    "status": "test",
    "tags": ["attack.execution", "attack.t1059.001", "attack.g0016", "cve.2021-1"],
}


def _alert(pos: str = "7", origin: str = "/var/log/a.evtx") -> object:
    ev = MatchedEvent(origin, pos, "2023-01-01T00:00:00.000Z", FrozenDict({"EventID": 1}))
    return new_alert(kind="detection", meta=META, events=(ev,), timestamp=ev.timestamp, host="H")


def test_attack_from_tags() -> None:
    assert attack_from_tags(META["tags"]) == (("TA0002",), ("T1059.001",))
    assert attack_from_tags(["attack.defense-evasion", "attack.defense_evasion", "attack.t1027"]) == (
        ("TA0005",),
        ("T1027",),
    )


def test_alert_id_is_deterministic_and_position_sensitive() -> None:
    a, b, c = _alert(), _alert(), _alert(pos="8")
    assert a.id == b.id != c.id  # type: ignore[attr-defined]
    # the directory a log was copied to does not change the id; its name and record do
    assert _alert(origin="/tmp/elsewhere/a.evtx").id == a.id  # type: ignore[attr-defined]


def test_alert_is_immutable_and_serialises() -> None:
    a = _alert()
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.level = "low"  # type: ignore[attr-defined]
    doc = alert_to_dict(a)  # type: ignore[arg-type]
    assert doc["attack"] == {"tactics": ["TA0002"], "techniques": ["T1059.001"]}
    assert doc["events"][0]["fields"] == {"EventID": 1}


def test_alert_pickles_to_an_equal_value_sharing_its_events() -> None:
    """Hunt workers send alerts to the parent by pickle: every field survives, and alerts about one event keep
    sharing one MatchedEvent (the pickle memo), so a worker's result stays small."""
    import pickle

    from garrison.core.alert import MatchedSelection

    ev = MatchedEvent("a.evtx", "3", None, FrozenDict({"CommandLine": "whoami /all", "EventID": 1}))
    alerts = [
        new_alert(
            kind="detection",
            meta={**META, "id": f"r-{i}"},
            events=(ev,),
            timestamp=None,
            host="H",
            matched=(MatchedSelection("selection", ("CommandLine",)),),
            group={"User": "bob"},
            value=float(i),
        )
        for i in range(3)
    ]
    back = pickle.loads(pickle.dumps(alerts))
    assert back == alerts
    assert back[0].events[0] is back[1].events[0] is back[2].events[0]
    assert isinstance(back[0].group, FrozenDict) and back[0].matched[0].fields == ("CommandLine",)


@pytest.mark.parametrize(
    "fields",
    [
        {"a": "x", "n": 1, "f": 1.5, "b": True, "z": None, "l": ["x", 2, None]},
        {"nan": float("nan")},
        {"inf": [1.0, float("-inf")]},
        {"big": 1 << 70},
        {"nested": [["x"]]},
    ],
    ids=["json", "nan", "inf-in-list", "big-int", "nested-list"],
)
def test_matched_event_pickles_exactly_whatever_its_values(fields: dict[str, object]) -> None:
    import math
    import pickle

    ev = MatchedEvent("a.log", "1", None, FrozenDict(fields))
    back = pickle.loads(pickle.dumps(ev))
    assert isinstance(back.fields, FrozenDict) and list(back.fields) == list(fields)
    for k, v in fields.items():
        got = back.fields[k]
        if isinstance(v, float) and math.isnan(v):
            assert isinstance(got, float) and math.isnan(got)
        else:
            assert got == v and type(got) is type(v)
