"""OSV range semantics, event by event."""

from __future__ import annotations

from garrison.advisories.matching import fixed_versions, is_affected, recommended_fix
from garrison.advisories.model import Affected, Event, Range
from garrison.advisories.versions import scheme_for

PYPI = scheme_for("PyPI")
GO = scheme_for("Go")


def rng(*events: tuple[str, str], kind: str = "ECOSYSTEM") -> Range:
    return Range(kind, tuple(Event(k, v) for k, v in events))  # type: ignore[arg-type]


def aff(*ranges: Range, versions: tuple[str, ...] = ()) -> Affected:
    return Affected("PyPI", "demo", ranges=ranges, versions=versions)


def test_introduced_fixed() -> None:
    a = aff(rng(("introduced", "1.0"), ("fixed", "1.4.2")))
    assert not is_affected(PYPI, a, "0.9")
    assert is_affected(PYPI, a, "1.0")
    assert is_affected(PYPI, a, "1.4.2rc1")  # a pre-release of the fix is still affected
    assert not is_affected(PYPI, a, "1.4.2")
    assert not is_affected(PYPI, a, "2.0")


def test_introduced_zero_and_several_spans() -> None:
    a = aff(rng(("introduced", "0"), ("fixed", "1.1"), ("introduced", "2.0"), ("fixed", "2.3")))
    assert is_affected(PYPI, a, "0.0.1")
    assert not is_affected(PYPI, a, "1.5")
    assert is_affected(PYPI, a, "2.2.9")
    assert not is_affected(PYPI, a, "2.3")


def test_unsorted_events_are_sorted_by_version() -> None:
    a = aff(rng(("introduced", "2.0"), ("fixed", "2.3"), ("introduced", "0"), ("fixed", "1.1")))
    assert is_affected(PYPI, a, "1.0") and not is_affected(PYPI, a, "1.2") and is_affected(PYPI, a, "2.1")


def test_equal_versions_keep_listed_order() -> None:
    # PYSEC-2022-236 (pyspark): fixed 3.1.1 listed before introduced 3.1.1 joins two adjacent spans
    joined = aff(rng(("introduced", "0"), ("fixed", "3.1.1"), ("introduced", "3.1.1"), ("fixed", "3.1.3")))
    assert is_affected(PYPI, joined, "3.1.2")
    empty = aff(rng(("introduced", "1.0"), ("fixed", "1.0")))
    assert not is_affected(PYPI, empty, "1.0") and not is_affected(PYPI, empty, "1.5")


def test_last_affected_is_inclusive() -> None:
    a = aff(rng(("introduced", "0"), ("last_affected", "1.4.0")))
    assert is_affected(PYPI, a, "1.4.0")
    assert not is_affected(PYPI, a, "1.4.1")


def test_limit_bounds_the_range() -> None:
    a = aff(rng(("introduced", "0"), ("limit", "2.0")))
    assert is_affected(PYPI, a, "1.9")
    assert not is_affected(PYPI, a, "2.0")
    unlimited = aff(rng(("introduced", "0"), ("limit", "*")))
    assert is_affected(PYPI, unlimited, "99")


def test_explicit_versions_and_git_ranges() -> None:
    a = aff(rng(("introduced", "0"), ("fixed", "deadbeef"), kind="GIT"), versions=("0.7.10p1", "1.0"))
    assert is_affected(PYPI, a, "1.0")
    assert is_affected(PYPI, a, "0.7.10p1")  # unparseable, but listed verbatim
    assert not is_affected(PYPI, a, "1.1")  # GIT ranges never match versions


def test_unparseable_event_makes_only_that_range_undecidable() -> None:
    a = aff(rng(("introduced", "0"), ("fixed", "2019-09-12")), rng(("introduced", "3.0"), ("fixed", "3.1")))
    assert not is_affected(PYPI, a, "1.0")  # never guessed
    assert is_affected(PYPI, a, "3.0.5")


def test_semver_ranges_for_go() -> None:
    a = Affected("Go", "golang.org/x/net", ranges=(rng(("introduced", "0"), ("fixed", "0.7.0"), kind="SEMVER"),))
    assert is_affected(GO, a, "v0.0.0-20220722155237-a158d28d115b")
    assert not is_affected(GO, a, "v0.7.0")


def test_fixed_versions_and_recommendation_prefer_same_major() -> None:
    a = aff(rng(("introduced", "0"), ("fixed", "2.2.5"), ("introduced", "3.0"), ("fixed", "3.0.1")))
    assert fixed_versions(PYPI, [a], "2.0.1") == ["2.2.5", "3.0.1"]
    assert recommended_fix(PYPI, ["2.2.5", "3.0.1"], "2.0.1") == "2.2.5"
    assert recommended_fix(PYPI, ["3.0.1"], "2.0.1") == "3.0.1"
    # a fix that another entry of the same vulnerability still affects is not offered
    b = aff(rng(("introduced", "2.2.5"), ("fixed", "2.2.7")))
    assert fixed_versions(PYPI, [a, b], "2.0.1") == ["2.2.7", "3.0.1"]
