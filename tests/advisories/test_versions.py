"""Each ecosystem's comparator orders versions the way its package manager does."""

from __future__ import annotations

import contextlib

import pytest
from univers.versions import ComposerVersion, MavenVersion

from garrison.advisories.versions import ECOSYSTEMS, InvalidVersion, canonical_ecosystem, scheme_for


def ordered(ecosystem: str, versions: list[str]) -> None:
    s = scheme_for(ecosystem)
    keys = [s.key(v) for v in versions]
    for a, b, ka, kb in zip(versions, versions[1:], keys, keys[1:]):
        assert ka < kb, f"{ecosystem}: expected {a} < {b}"


def equal(ecosystem: str, a: str, b: str) -> None:
    s = scheme_for(ecosystem)
    assert s.compare(a, b) == 0, f"{ecosystem}: expected {a} == {b}"


def test_every_ecosystem_has_a_scheme() -> None:
    assert set(ECOSYSTEMS) == {"PyPI", "npm", "Go", "crates.io", "RubyGems", "Packagist", "Maven", "NuGet"}
    for e in ECOSYSTEMS:
        assert scheme_for(e).ecosystem == e
    assert canonical_ecosystem("pypi") == "PyPI"
    assert canonical_ecosystem("CRATES.IO") == "crates.io"
    assert canonical_ecosystem("Debian") is None


def test_pypi_pep440() -> None:
    ordered("PyPI", ["1.0.dev1", "1.0a1", "1.0b2", "1.0rc1", "1.0", "1.0.post1", "1.0.1", "1.10", "2!0.1"])
    equal("PyPI", "1.0", "1.0.0")
    equal("PyPI", "1.2.0", "1.2")
    assert scheme_for("PyPI").normalize_name("Flask_SQLAlchemy") == "flask-sqlalchemy"
    with pytest.raises(InvalidVersion):
        scheme_for("PyPI").key("0.7.10p1")  # a legacy version: undecidable, never guessed


def test_semver_precedence_npm_and_crates() -> None:
    chain = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11"]
    chain += ["1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0", "2.0.0"]
    ordered("npm", chain)
    ordered("crates.io", chain)
    equal("npm", "1.0.0+build.1", "1.0.0")
    equal("npm", "v1.2.3", "1.2.3")  # node-semver's loose form
    with pytest.raises(InvalidVersion):
        scheme_for("crates.io").key("v1.2.3")  # Cargo is strict
    with pytest.raises(InvalidVersion):
        scheme_for("npm").key(">=1.0")  # a range is not a version (osv-scanner #1483)
    assert scheme_for("crates.io").normalize_name("Serde_JSON") == "serde-json"


def test_go_pseudo_versions_and_incompatible() -> None:
    ordered(
        "Go",
        [
            "v0.0.0-20190308221718-c2843e01d9a2",
            "v0.0.0-20220722155237-a158d28d115b",
            "v0.1.0",
            "v1.2.3",
            "v1.2.4-0.20191109021931-daa7c04131f5",
            "v1.2.4",
        ],
    )
    equal("Go", "v20.10.7+incompatible", "20.10.7")
    equal("Go", "2.3.1", "v2.3.1")


def test_rubygems() -> None:
    ordered("RubyGems", ["1.0.0.a", "1.0.0.pre", "1.0.0.rc1", "1.0.0", "1.0.1", "1.1"])
    equal("RubyGems", "1.0", "1.0.0")


def test_nuget() -> None:
    ordered("NuGet", ["1.0.0-alpha", "1.0.0-beta", "1.0.0", "1.0.0.1", "1.0.1"])
    equal("NuGet", "1.0.0-Beta", "1.0.0-beta")
    equal("NuGet", "1.0", "1.0.0.0")


def test_maven_comparable_version() -> None:
    ordered(
        "Maven",
        ["1-alpha-1", "1-beta-1", "1-milestone-1", "1-rc-1", "1-snapshot", "1", "1-sp", "1-foo", "1.1", "1.10"],
    )
    equal("Maven", "1-ga", "1")
    equal("Maven", "1.0.RELEASE", "1.0")
    equal("Maven", "1-cr1", "1-rc1")
    equal("Maven", "1.0.0", "1")
    ordered("Maven", ["2.12.1", "2.12.7.1", "2.13.0"])
    ordered("Maven", ["29.0-android", "29.0-jre", "30.0-jre"])


def test_maven_where_univers_disagrees() -> None:
    # Maven's ComparableVersion treats "RELEASE"/"final"/"ga" as the release itself; univers does not.
    assert MavenVersion("1.0.RELEASE") != MavenVersion("1.0")
    equal("Maven", "1.0.RELEASE", "1.0")


def test_packagist_stability_order() -> None:
    ordered("Packagist", ["1.0.0-dev", "1.0.0-alpha1", "1.0.0-beta1", "1.0.0-beta2", "1.0.0-RC1", "1.0.0", "1.0.0-p1"])
    equal("Packagist", "v5.2.1", "5.2.1")
    equal("Packagist", "5.2", "5.2.0.0")
    with pytest.raises(InvalidVersion):
        scheme_for("Packagist").key("dev-main")


def test_packagist_where_univers_disagrees() -> None:
    # univers orders pre-releases by ASCII, so beta2 > RC1; Composer says beta < RC
    assert not ComposerVersion("1.0.0-beta2") < ComposerVersion("1.0.0-RC1")
    ordered("Packagist", ["1.0.0-beta2", "1.0.0-RC1"])


@pytest.mark.parametrize("ecosystem", ECOSYSTEMS)
def test_hostile_versions_are_rejected_fast(ecosystem: str) -> None:
    s = scheme_for(ecosystem)
    for bad in ("", "x" * 5000, "1." * 3000 + "1", "\x00", "🙂"):
        with contextlib.suppress(InvalidVersion):
            s.key(bad)
