import pickle

import pytest

from garrison.core.finding import FindingKind, Location, Region
from garrison.core.fingerprint import disambiguate, fingerprint_of, line_anchor, value_anchor
from garrison.core.frozen import FrozenDict
from tests.factories import finding


def test_fingerprint_ignores_line_numbers():
    a = finding(line=3)
    b = finding(line=300)
    assert a.fingerprint == b.fingerprint


def test_fingerprint_depends_on_rule_path_and_anchor():
    base = finding()
    assert finding(rule_id="other.rule").fingerprint != base.fingerprint
    assert finding(path="src/other.py").fingerprint != base.fingerprint
    assert finding(anchor="password = 'y'").fingerprint != base.fingerprint
    assert finding(analyzer="other").fingerprint != base.fingerprint


def test_line_anchor_normalises_whitespace_only():
    assert line_anchor("  a =\t 1  ") == line_anchor("a = 1")
    assert line_anchor("a = 1") != line_anchor("a = 2")


def test_value_anchor_never_contains_the_value():
    secret = "AKIAABCDEFGHIJKLMNOP"
    assert secret not in value_anchor(secret)
    assert value_anchor(secret) == value_anchor(secret)


def test_disambiguate_keeps_first_and_numbers_repeats():
    fp = fingerprint_of("x")
    assert disambiguate(fp, 0) == fp
    assert len({disambiguate(fp, n) for n in range(5)}) == 5


def test_findings_are_immutable_and_picklable():
    f = finding()
    with pytest.raises(AttributeError):
        f.message = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        f.evidence["k"] = "v"  # type: ignore[index]
    assert pickle.loads(pickle.dumps(f)) == f


def test_frozendict_pickles_and_refuses_mutation():
    d = FrozenDict({"a": 1})
    assert pickle.loads(pickle.dumps(d)) == {"a": 1}
    for op in (lambda: d.update(b=2), lambda: d.pop("a"), lambda: d.clear(), lambda: d.setdefault("c", 3)):
        with pytest.raises(TypeError):
            op()


def test_location_display():
    loc = Location(path="a/b.tf", region=Region(12), resource="aws_s3_bucket.data")
    assert loc.display() == "a/b.tf:12 aws_s3_bucket.data"
    assert Location(purl="pkg:npm/lodash@4.17.20").display() == "pkg:npm/lodash@4.17.20"
    assert FindingKind("secret") is FindingKind.SECRET
