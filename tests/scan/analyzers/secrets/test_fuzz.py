"""Hostile input to the secrets analyzer's parsers: gitleaks configs and file content.

Malformed configs are one-line ConfigErrors, never another exception; any bytes scan in bounded time."""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garrison.core.errors import ConfigError
from garrison.scan.analyzers.secrets.catalogue import builtin_rules
from garrison.scan.analyzers.secrets.gitleaks import load_gitleaks_config
from garrison.scan.analyzers.secrets.matcher import Matcher
from garrison.scan.analyzers.secrets.model import RuleSet
from tests.conftest import corpus_root

SEED_DIR = corpus_root() / "secrets" / "gitleaks" / "testdata" / "config"
SEEDS = sorted(p.read_text() for p in SEED_DIR.rglob("*.toml") if p.stat().st_size < 4000) or [""]


@cache
def matcher() -> Matcher:
    return Matcher(RuleSet(rules=list(builtin_rules())))


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.sampled_from(SEEDS),
    cut=st.integers(0, 4000),
    insert=st.text(alphabet=st.sampled_from(list("[]{}='\"\\ \n.(?)*+|abc0129_-")), max_size=30),
    where=st.integers(0, 4000),
)
def test_fuzz_gitleaks_configs(tmp_path_factory, seed: str, cut: int, insert: str, where: str):
    text = seed[:cut] if cut < len(seed) else seed
    text = text[:where] + insert + text[where:]
    path = tmp_path_factory.mktemp("gl") / "cfg.toml"
    path.write_text(text)
    error = ""
    try:
        rs = load_gitleaks_config(path)
    except ConfigError as exc:
        error = exc.message
    if error:
        assert "\n" not in error and error.startswith(str(path.parent))
        return
    for rule in rs.rules:
        assert rule.id.startswith("secrets.")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_fuzz_random_bytes(data: bytes):
    m = matcher()
    t0 = time.perf_counter()
    for hit in m.scan(data, "x.py"):
        assert 0 <= hit.start <= hit.end <= len(data) and hit.line >= 1
    assert time.perf_counter() - t0 < 2


TEMPLATES = [
    b"password = ", b"api_key: '", b"-----BEGIN RSA PRIVATE KEY-----\n", b"ghp_", b"AKIA", b"xoxb-",
    b"postgres://u:", b"@", b"\n", b'"', b"eyJ", b".", b"=" * 3, b"A" * 40, b"\\n", b"token=",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TEMPLATES) | st.binary(max_size=20), max_size=60))
def test_fuzz_secret_shaped_fragments(parts: list[bytes]):
    data = b"".join(parts)
    m = matcher()
    t0 = time.perf_counter()
    m.scan(data, "x.env")
    assert time.perf_counter() - t0 < 2


def test_pathological_inputs_are_fast(tmp_path: Path):
    m = matcher()
    cases = [
        b"-----BEGIN RSA PRIVATE KEY-----\n" + b"A" * 2_000_000,  # unterminated key block
        b"password=" * 200_000,
        b"a" * 3_000_000,
        (b"token = '" + b"x" * 500 + b"'\n") * 5_000,
    ]
    for data in cases:
        t0 = time.perf_counter()
        m.scan(data, "big.txt")
        assert time.perf_counter() - t0 < 5
