"""The prefilters on their own: same candidates from hyperscan and the portable RE2-Set prefilter, the
compiled-database cache (written once, reused, rebuilt when corrupt), and patterns hyperscan refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from garrison.scan.analyzers.secrets.prefilter import HyperscanPrefilter, PortablePrefilter, RuleSpec

SPECS = [
    RuleSpec(("ghp_",), r"\b(ghp_[0-9a-zA-Z]{36})\b", whole_file=False, multiline=False),
    RuleSpec(("password",), r"(?i)password[ \t]*=[ \t]*\S{6,}", whole_file=False, multiline=False),
    RuleSpec(("-----begin",), r"-----BEGIN[\s\S]*?-----END", whole_file=False, multiline=True),
    RuleSpec((), r"tok_[a-z]{4}", whole_file=True, multiline=False),
]
TEXT = b"x = 1\npassword = hunter2hunter2\nT = 'ghp_" + b"a1" * 18 + b"'\n-----BEGIN X\nabc\n-----END X\n"


def test_both_prefilters_select_the_same_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GARRISON_CACHE_DIR", str(tmp_path))
    hs, portable = HyperscanPrefilter(SPECS), PortablePrefilter(SPECS)
    assert set(hs.candidates(TEXT)) == {0, 1, 2}
    assert set(portable.candidates(TEXT)) == {0, 1, 2, 3}  # the keyword-less rule always runs there
    # no keyword: nothing runs; a rule without keywords runs on the whole file only if it can match
    assert hs.candidates(b"nothing here\n") == {}
    assert set(portable.candidates(b"nothing here\n")) == {3}
    assert hs.candidates(b"a tok_abcd\n") == {3: (0, 11)}
    # a keyword whose rule regex cannot match is skipped by hyperscan only
    assert hs.candidates(b"the password field\n") == {}
    assert 1 in portable.candidates(b"the password field\n")


def test_compiled_database_is_cached_and_rebuilt_when_corrupt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GARRISON_CACHE_DIR", str(tmp_path))
    HyperscanPrefilter(SPECS)
    (cached,) = tmp_path.glob("secrets-*.hsdb")
    assert HyperscanPrefilter(SPECS).candidates(TEXT).keys() == {0, 1, 2}
    cached.write_bytes(b"0,1\ngarbage")
    assert HyperscanPrefilter(SPECS).candidates(TEXT).keys() == {0, 1, 2}
    assert cached.read_bytes() != b"0,1\ngarbage"


def test_patterns_hyperscan_refuses_stay_unfiltered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GARRISON_CACHE_DIR", str(tmp_path))
    specs = [RuleSpec(("key",), r"key(?1)(\d)", whole_file=False, multiline=False)]  # subpattern call
    hs = HyperscanPrefilter(specs)
    assert hs.candidates(b"a key here\n") == {0: (0, 11)}
