"""The compiled-ruleset cache: used when it verifies, ignored (and rebuilt) when planted, tampered or unsafe."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from garrison.detect.cache import RulesetCache
from garrison.detect.load import load_ruleset

RULE = (
    "title: t\nid: 9d1c1f4e-0000-4000-8000-000000000001\nlevel: high\nlogsource:\n  product: test\n"
    "detection:\n  sel:\n    A|contains: evil\n  condition: sel\n"
)


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    d = tmp_path / "rules"
    d.mkdir()
    (d / "r.yml").write_text(RULE)
    return d


def test_second_load_comes_from_cache_and_is_identical(tmp_path: Path, rules: Path) -> None:
    cache = RulesetCache(tmp_path / "cache")
    rs1, info1 = load_ruleset([rules], cache=cache)
    rs2, info2 = load_ruleset([rules], cache=cache)
    assert not info1.cached and info2.cached
    assert rs1.to_json() == rs2.to_json()
    assert oct((tmp_path / "cache").stat().st_mode & 0o777) == "0o700"
    assert oct((tmp_path / "cache" / "key").stat().st_mode & 0o777) == "0o600"


def test_changed_rule_content_misses_the_cache(tmp_path: Path, rules: Path) -> None:
    cache = RulesetCache(tmp_path / "cache")
    load_ruleset([rules], cache=cache)
    (rules / "r.yml").write_text(RULE.replace("evil", "bad"))
    rs, info = load_ruleset([rules], cache=cache)
    assert not info.cached and "bad" in str(rs.base[0])


def test_tampered_cache_file_is_rejected(tmp_path: Path, rules: Path) -> None:
    cache = RulesetCache(tmp_path / "cache")
    load_ruleset([rules], cache=cache)
    (f,) = (tmp_path / "cache").glob("*.json.z")
    import zlib

    head, _, body = f.read_bytes().partition(b"\n")
    doc = zlib.decompress(body).replace(b"evil", b"nope")
    f.write_bytes(head + b"\n" + zlib.compress(doc))
    rs, info = load_ruleset([rules], cache=cache)
    assert not info.cached and "evil" in str(rs.base[0])
    assert cache.warning and "failed verification" in cache.warning


def test_cache_in_a_world_writable_dir_is_not_used(tmp_path: Path, rules: Path) -> None:
    d = tmp_path / "shared"
    d.mkdir()
    os.chmod(d, 0o777)
    cache = RulesetCache(d)
    load_ruleset([rules], cache=cache)
    _, info = load_ruleset([rules], cache=cache)
    assert not info.cached and cache.warning and "writable by others" in cache.warning
    assert list(d.iterdir()) == []


def test_key_with_loose_permissions_is_not_trusted(tmp_path: Path, rules: Path) -> None:
    cache = RulesetCache(tmp_path / "cache")
    load_ruleset([rules], cache=cache)
    os.chmod(tmp_path / "cache" / "key", 0o644)
    _, info = load_ruleset([rules], cache=cache)
    assert not info.cached and cache.warning and "unsafe ownership or permissions" in cache.warning
