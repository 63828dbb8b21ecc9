"""Sigma 2.x detection semantics, one modifier or construct at a time, each with a match and a non-match.

Every case runs twice: through the literal prefilter and without it — the prefilter may only skip rules that
cannot match, so both must agree.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from .helpers import detector, event, fires, rule

CASES: list[tuple[str, str, dict[str, object], bool]] = [
    # name, detection, event, expected
    (
        "equals is case-insensitive",
        "sel:\n  Image: 'C:\\Windows\\cmd.exe'\ncondition: sel",
        {"Image": "c:\\windows\\CMD.EXE"},
        True,
    ),
    ("equals is whole value", "sel:\n  Image: 'cmd.exe'\ncondition: sel", {"Image": "xcmd.exe"}, False),
    ("contains", "sel:\n  CommandLine|contains: '-enc '\ncondition: sel", {"CommandLine": "powershell -ENC abc"}, True),
    (
        "contains miss",
        "sel:\n  CommandLine|contains: '-enc '\ncondition: sel",
        {"CommandLine": "powershell -e abc"},
        False,
    ),
    ("startswith", "sel:\n  Image|startswith: 'C:\\Users\\'\ncondition: sel", {"Image": "C:\\users\\bob\\a.exe"}, True),
    (
        "startswith miss",
        "sel:\n  Image|startswith: 'C:\\Users\\'\ncondition: sel",
        {"Image": "D:\\Users\\a.exe"},
        False,
    ),
    ("endswith", "sel:\n  Image|endswith: '\\rundll32.exe'\ncondition: sel", {"Image": "C:\\x\\RUNDLL32.exe"}, True),
    (
        "endswith miss",
        "sel:\n  Image|endswith: '\\rundll32.exe'\ncondition: sel",
        {"Image": "C:\\x\\rundll32.exe.bak"},
        False,
    ),
    (
        "list is OR",
        "sel:\n  Image|endswith:\n    - '\\a.exe'\n    - '\\b.exe'\ncondition: sel",
        {"Image": "c:\\b.exe"},
        True,
    ),
    (
        "contains|all needs every value",
        "sel:\n  CommandLine|contains|all: ['a1', 'b2']\ncondition: sel",
        {"CommandLine": "x a1 y"},
        False,
    ),
    (
        "contains|all",
        "sel:\n  CommandLine|contains|all: ['a1', 'b2']\ncondition: sel",
        {"CommandLine": "b2 x a1"},
        True,
    ),
    (
        "wildcard *",
        "sel:\n  Image: 'C:\\\\*\\\\evil*.exe'\ncondition: sel",
        {"Image": "c:\\temp\\dir\\evil123.exe"},
        True,
    ),
    ("backslash-star is a literal star", "sel:\n  Image: 'C:\\*x'\ncondition: sel", {"Image": "C:*x"}, True),
    ("wildcard ?", "sel:\n  User: 'adm?n'\ncondition: sel", {"User": "admin"}, True),
    ("wildcard ? is one char", "sel:\n  User: 'adm?n'\ncondition: sel", {"User": "admiin"}, False),
    ("escaped wildcard is literal", "sel:\n  Value: 'a\\*b'\ncondition: sel", {"Value": "a*b"}, True),
    ("escaped wildcard is not a wildcard", "sel:\n  Value: 'a\\*b'\ncondition: sel", {"Value": "axxb"}, False),
    ("plain backslash stays", "sel:\n  Path: 'C:\\Windows\\Temp'\ncondition: sel", {"Path": "C:\\Windows\\Temp"}, True),
    ("cased", "sel:\n  Name|cased: 'AbC'\ncondition: sel", {"Name": "AbC"}, True),
    ("cased miss", "sel:\n  Name|cased: 'AbC'\ncondition: sel", {"Name": "abc"}, False),
    ("cased contains", "sel:\n  Name|contains|cased: 'Mimi'\ncondition: sel", {"Name": "xmimikatz"}, False),
    (
        "re unanchored",
        "sel:\n  CommandLine|re: 'net\\s+user'\ncondition: sel",
        {"CommandLine": "cmd /c net  user x"},
        True,
    ),
    ("re case-sensitive", "sel:\n  CommandLine|re: 'NET user'\ncondition: sel", {"CommandLine": "net user"}, False),
    ("re|i", "sel:\n  CommandLine|re|i: 'NET user'\ncondition: sel", {"CommandLine": "net user"}, True),
    ("re|m", "sel:\n  Text|re|m: '^second$'\ncondition: sel", {"Text": "first\nsecond\nthird"}, True),
    ("re without m", "sel:\n  Text|re: '^second$'\ncondition: sel", {"Text": "first\nsecond\nthird"}, False),
    ("re|s", "sel:\n  Text|re|s: 'a.b'\ncondition: sel", {"Text": "a\nb"}, True),
    ("re lookahead (not RE2) runs bounded", "sel:\n  T|re: 'foo(?!bar)'\ncondition: sel", {"T": "foobaz"}, True),
    ("re lookahead miss", "sel:\n  T|re: 'foo(?!bar)'\ncondition: sel", {"T": "foobar"}, False),
    ("base64", "sel:\n  D|base64: 'http://'\ncondition: sel", {"D": base64.b64encode(b"http://").decode()}, True),
    (
        "base64offset|contains",
        "sel:\n  CommandLine|base64offset|contains: 'IEX ('\ncondition: sel",
        {"CommandLine": "powershell -e " + base64.b64encode(b"xxIEX (New-Object)").decode()},
        True,
    ),
    (
        "wide|base64offset|contains",
        "sel:\n  CommandLine|wide|base64offset|contains: 'iex'\ncondition: sel",
        {"CommandLine": base64.b64encode("x iex y".encode("utf-16-le")).decode()},
        True,
    ),
    (
        "windash dash",
        "sel:\n  CommandLine|windash|contains: ' -decode '\ncondition: sel",
        {"CommandLine": "certutil -decode a b"},
        True,
    ),
    (
        "windash slash",
        "sel:\n  CommandLine|windash|contains: ' -decode '\ncondition: sel",
        {"CommandLine": "certutil /decode a b"},
        True,
    ),
    (
        "windash en-dash",
        "sel:\n  CommandLine|windash|contains: ' -decode '\ncondition: sel",
        {"CommandLine": "certutil \u2013decode a b"},
        True,
    ),
    (
        "windash miss",
        "sel:\n  CommandLine|windash|contains: ' -decode '\ncondition: sel",
        {"CommandLine": "certutil decode a b"},
        False,
    ),
    ("cidr v4", "sel:\n  DestinationIp|cidr: '10.0.0.0/8'\ncondition: sel", {"DestinationIp": "10.20.30.40"}, True),
    ("cidr v4 miss", "sel:\n  DestinationIp|cidr: '10.0.0.0/8'\ncondition: sel", {"DestinationIp": "11.0.0.1"}, False),
    (
        "cidr v6",
        "sel:\n  DestinationIp|cidr: 'fe80::/10'\ncondition: sel",
        {"DestinationIp": "FE80::1ff:fe23:4567:890a"},
        True,
    ),
    (
        "cidr v6 miss",
        "sel:\n  DestinationIp|cidr: 'fe80::/10'\ncondition: sel",
        {"DestinationIp": "2001:db8::1"},
        False,
    ),
    (
        "cidr not an ip",
        "sel:\n  DestinationIp|cidr: '10.0.0.0/8'\ncondition: sel",
        {"DestinationIp": "10.example"},
        False,
    ),
    ("lt", "sel:\n  Port|lt: 1024\ncondition: sel", {"Port": 80}, True),
    ("lt edge", "sel:\n  Port|lt: 1024\ncondition: sel", {"Port": 1024}, False),
    ("lte edge", "sel:\n  Port|lte: 1024\ncondition: sel", {"Port": "1024"}, True),
    ("gt", "sel:\n  Size|gt: 10\ncondition: sel", {"Size": 10.5}, True),
    ("gte edge", "sel:\n  Size|gte: 10\ncondition: sel", {"Size": 10}, True),
    ("gt not a number", "sel:\n  Size|gt: 10\ncondition: sel", {"Size": "big"}, False),
    ("number equals string form", "sel:\n  EventID: 4688\ncondition: sel", {"EventID": "4688"}, True),
    ("number miss", "sel:\n  EventID: 4688\ncondition: sel", {"EventID": 4689}, False),
    (
        "fieldref equal",
        "sel:\n  TargetUser|fieldref: SubjectUser\ncondition: sel",
        {"TargetUser": "Bob", "SubjectUser": "bob"},
        True,
    ),
    (
        "fieldref differ",
        "sel:\n  TargetUser|fieldref: SubjectUser\ncondition: sel",
        {"TargetUser": "Bob", "SubjectUser": "eve"},
        False,
    ),
    ("fieldref missing", "sel:\n  TargetUser|fieldref: SubjectUser\ncondition: sel", {"TargetUser": "Bob"}, False),
    (
        "fieldref|contains",
        "sel:\n  CommandLine|fieldref|contains: User\ncondition: sel",
        {"CommandLine": "run as bob now", "User": "bob"},
        True,
    ),
    (
        "fieldref|startswith",
        "sel:\n  Path|fieldref|startswith: Home\ncondition: sel",
        {"Path": "/home/bob/x", "Home": "/home/bob"},
        True,
    ),
    (
        "fieldref|endswith miss",
        "sel:\n  Path|fieldref|endswith: Home\ncondition: sel",
        {"Path": "/home/bob/x", "Home": "/home/bob"},
        False,
    ),
    ("exists true", "sel:\n  Hashes|exists: true\ncondition: sel", {"Hashes": "MD5=1"}, True),
    ("exists true miss", "sel:\n  Hashes|exists: true\ncondition: sel", {"Other": 1}, False),
    ("exists false", "sel:\n  Hashes|exists: false\ncondition: sel", {"Other": 1}, True),
    ("null matches absent", "sel:\n  A: x\nempty:\n  B: null\ncondition: sel and empty", {"A": "x"}, True),
    (
        "null does not match a value",
        "sel:\n  A: x\nempty:\n  B: null\ncondition: sel and empty",
        {"A": "x", "B": "y"},
        False,
    ),
    ("empty string matches empty", "sel:\n  A: ''\ncondition: sel", {"A": ""}, True),
    ("empty string is not absent", "sel:\n  A: ''\ncondition: sel", {"B": "x"}, False),
    ("bool", "sel:\n  Enabled: true\ncondition: sel", {"Enabled": True}, True),
    ("bool miss", "sel:\n  Enabled: true\ncondition: sel", {"Enabled": False}, False),
    (
        "keyword anywhere",
        "keywords:\n  - 'mimikatz'\ncondition: keywords",
        {"a": "x", "b": "run Mimikatz.exe now"},
        True,
    ),
    ("keyword miss", "keywords:\n  - 'mimikatz'\ncondition: keywords", {"a": "x", "b": "run nothing"}, False),
    (
        "keyword wildcard",
        "keywords:\n  - 'failed*root'\ncondition: keywords",
        {"msg": "Failed password for root"},
        True,
    ),
    ("keyword list values", "keywords:\n  - 'evil'\ncondition: keywords", {"args": ["a", "EVIL b"]}, True),
    ("keyword|all", "keywords:\n  '|all':\n    - 'a1'\n    - 'b2'\ncondition: keywords", {"m": "a1 b2"}, True),
    ("keyword|all miss", "keywords:\n  '|all':\n    - 'a1'\n    - 'b2'\ncondition: keywords", {"m": "a1"}, False),
    ("list field any element", "sel:\n  type: EXECVE\ncondition: sel", {"type": ["SYSCALL", "EXECVE"]}, True),
    ("and of fields", "sel:\n  A: x\n  B: y\ncondition: sel", {"A": "x", "B": "z"}, False),
    ("list of maps is OR", "sel:\n  - A: x\n  - B: y\ncondition: sel", {"B": "y"}, True),
    ("1 of", "sel_a:\n  A: x\nsel_b:\n  B: y\ncondition: 1 of sel_*", {"B": "y"}, True),
    ("all of", "sel_a:\n  A: x\nsel_b:\n  B: y\ncondition: all of sel_*", {"B": "y"}, False),
    ("all of them", "sel_a:\n  A: x\nsel_b:\n  B: y\ncondition: all of them", {"A": "x", "B": "y"}, True),
    (
        "not filter",
        "sel:\n  A|contains: x\nfilter:\n  B: y\ncondition: sel and not filter",
        {"A": "axb", "B": "y"},
        False,
    ),
    (
        "not filter passes",
        "sel:\n  A|contains: x\nfilter:\n  B: y\ncondition: sel and not filter",
        {"A": "axb", "B": "z"},
        True,
    ),
    (
        "not 1 of filter",
        "sel:\n  A: x\nfilter_1:\n  B: y\nfilter_2:\n  C: z\ncondition: sel and not 1 of filter_*",
        {"A": "x", "C": "z"},
        False,
    ),
    ("parentheses", "a:\n  A: 1\nb:\n  B: 2\nc:\n  C: 3\ncondition: a and (b or c)", {"A": 1, "C": 3}, True),
    ("neq", "sel:\n  A: x\n  B|neq: y\ncondition: sel", {"A": "x", "B": "y"}, False),
    ("neq passes", "sel:\n  A: x\n  B|neq: y\ncondition: sel", {"A": "x", "B": "z"}, True),
    ("hour", "sel:\n  Time|hour: 3\ncondition: sel", {"Time": "2023-11-20T03:15:00Z"}, True),
    ("hour miss", "sel:\n  Time|hour: 3\ncondition: sel", {"Time": "2023-11-20T04:15:00Z"}, False),
    (
        "month/year/day/minute",
        "sel:\n  T|month: 11\n  T|year: 2023\n  T|day: 20\n  T|minute: 15\ncondition: sel",
        {"T": "2023-11-20T03:15:00Z"},
        True,
    ),
    ("week", "sel:\n  T|week: 47\ncondition: sel", {"T": "2023-11-20T03:15:00Z"}, True),
    ("multiple conditions are OR", "a:\n  A: 1\nb:\n  B: 2\ncondition:\n  - a\n  - b", {"B": 2}, True),
    (
        "single emoji literal",
        "sel:\n  CommandLine|contains:\n    - '\U0001f525'\n    - '\u2714'\ncondition: sel",
        {"CommandLine": "cmd /c echo \u2714 done"},
        True,
    ),
    (
        "single emoji literal miss",
        "sel:\n  CommandLine|contains:\n    - '\U0001f525'\n    - '\u2714'\ncondition: sel",
        {"CommandLine": "cmd /c echo done"},
        False,
    ),
    (
        "cyrillic look-alike",
        "sel:\n  Image|contains: '\u0430'\ncondition: sel",
        {"Image": "c:\\windows\\sv\u0410chost.exe"},
        True,
    ),
    ("unicode case folding", "sel:\n  User|contains: 'ÄDMIN'\ncondition: sel", {"User": "x-ädmin"}, True),
]


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "no-prefilter"])
@pytest.mark.parametrize(("name", "detection", "fields", "expected"), CASES, ids=[c[0] for c in CASES])
def test_detection_semantics(
    name: str, detection: str, fields: dict[str, object], expected: bool, prefilter: bool
) -> None:
    assert fires(detection, fields, prefilter=prefilter) is expected


def test_expand_placeholder_with_pipeline_vars(tmp_path: Path) -> None:
    pipe = tmp_path / "vars.yml"
    pipe.write_text(
        "name: site vars\nvars:\n  admins: ['alice', 'bob']\ntransformations:\n"
        "  - type: value_placeholders\n    include: ['admins']\n"
    )
    det = detector(rule("sel:\n  User|expand: '%admins%'\ncondition: sel"), pipelines=[str(pipe)])
    hits = det.match(event({"User": "Bob"}, variant="x"))
    assert [c.index for c in hits] == [0]
    assert det.match(event({"User": "mallory"}, variant="x")) == []


def test_unresolved_placeholder_is_unsupported_with_reason() -> None:
    det = detector(rule("sel:\n  User|expand: '%admins%'\ncondition: sel"))
    assert "placeholder %admins%" in det.ruleset.unsupported[0]


def test_meta_filter_applies_to_its_rule() -> None:
    base = rule("sel:\n  Image|endswith: '\\net.exe'\ncondition: sel", rid="11111111-1111-1111-1111-111111111111")
    flt = """
        title: ignore admins
        id: 22222222-2222-2222-2222-222222222222
        logsource:
            product: test
        filter:
            rules:
                - 11111111-1111-1111-1111-111111111111
            selection:
                User: admin
            condition: not selection
        """
    det = detector(base, flt)
    assert det.match(event({"Image": "c:\\net.exe", "User": "bob"}))
    assert not det.match(event({"Image": "c:\\net.exe", "User": "admin"}))


def test_explain_names_matched_selections_and_fields() -> None:
    from garrison.detect.detector import explain

    det = detector(
        rule("sel_img:\n  Image|endswith: '\\a.exe'\nsel_cli:\n  CommandLine|contains: x\ncondition: 1 of sel_*")
    )
    ev = event({"Image": "c:\\a.exe", "CommandLine": "y"})
    (c,) = det.match(ev)
    assert explain(c, ev) == [("sel_img", ("Image",))]


def test_catastrophic_regex_cannot_hang() -> None:
    import time

    det = detector(rule("sel:\n  T|re: '^(a+)+\\1$'\ncondition: sel"))  # backreference: not RE2, backtracks
    t0 = time.perf_counter()
    assert det.match(event({"T": "a" * 40 + "b"})) == []
    assert time.perf_counter() - t0 < 5
