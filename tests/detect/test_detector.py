"""Detector internals that change no result: per-route field plans (only the fields a route's rules test are
lowered for matching) and keyword detections, which must still see every value."""

from __future__ import annotations

from garrison.detect.detector import field_plan
from tests.detect.helpers import detector, event, rule

FIELD_RULE = rule(
    "selection:\n  Image|endswith: '\\\\cmd.exe'\ncondition: selection", rid="00000000-0000-0000-0000-0000000000a1"
)
KEYWORD_RULE = rule("keywords:\n  - 'mimikatz'\ncondition: keywords", rid="00000000-0000-0000-0000-0000000000a2")
REF_RULE = rule(
    "selection:\n  ParentImage|fieldref: Image\ncondition: selection", rid="00000000-0000-0000-0000-0000000000a3"
)


def test_plan_holds_tested_fields_and_fieldref_targets_only() -> None:
    det = detector(FIELD_RULE, KEYWORD_RULE, REF_RULE)
    irs = [ir for ir in det.ruleset.base if ir is not None]
    assert field_plan(irs) == frozenset({"Image", "ParentImage"})


def test_keyword_found_in_a_field_no_rule_names() -> None:
    for prefilter in (True, False):
        det = detector(FIELD_RULE, KEYWORD_RULE)
        det.use_prefilter = prefilter
        ev = event({"Image": "C:\\Windows\\notepad.exe", "CommandLine": "Invoke-MIMIKATZ -DumpCreds", "Pid": 4})
        hits = det.match(ev)
        assert [det.ruleset.meta[c.index]["id"] for c in hits] == ["00000000-0000-0000-0000-0000000000a2"]
        # only the planned field was lowered for field tests; the keyword still saw CommandLine
        assert set(ev.low) == {"Image"}
        assert "invoke-mimikatz" in ev.blob()


def test_field_rule_still_fires_and_unplanned_numbers_do_not_confuse_it() -> None:
    det = detector(FIELD_RULE, KEYWORD_RULE)
    ev = event({"Image": "C:\\Windows\\System32\\CMD.EXE", "Other": "\nimage\x01x\\cmd.exe\x01image\n"})
    assert [det.ruleset.meta[c.index]["id"] for c in det.match(ev)] == ["00000000-0000-0000-0000-0000000000a1"]
    spoof = event({"Image": "C:\\Windows\\notepad.exe", "Other": "\nimage\x01x\\cmd.exe\x01image\n"})
    assert det.match(spoof) == []


def test_event_lowers_every_field_when_read_before_matching() -> None:
    ev = event({"A": "MiXeD", "N": 16, "L": ["X", 2], "Z": None})
    assert ev.low == {"A": "mixed", "N": "16"} and ev.multi == {"L": ["x", "2"]}
    ev.prepare(frozenset({"A"}))
    assert ev.low == {"A": "mixed"} and ev.multi == {}
    assert "\n16" in ev.blob() or "16\n" in ev.blob()
    assert sorted(ev.all_low()) == ["16", "2", "mixed", "x"]


def test_keyword_with_a_newline_found_in_an_unplanned_multiline_value() -> None:
    kw = rule('keywords:\n  - "evil\\nline"\ncondition: keywords', rid="00000000-0000-0000-0000-0000000000a4")
    for prefilter in (True, False):
        det = detector(FIELD_RULE, kw)
        det.use_prefilter = prefilter
        ev = event({"Image": "C:\\x.exe", "Script": "first\nEVIL\nLINE\nlast", "Other": "evil"})
        assert [det.ruleset.meta[c.index]["id"] for c in det.match(ev)] == ["00000000-0000-0000-0000-0000000000a4"]
        assert "\nimage\x01" in ev.blob() and "evil line" in ev.blob()
