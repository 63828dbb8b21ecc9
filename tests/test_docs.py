"""The README's examples are real: its YAML, TOML and CEL snippets load and work."""

from __future__ import annotations

import datetime as dt
import re
import tomllib

from garrison.core.config import parse_config
from garrison.policy.cel import compile_condition
from garrison.policy.waivers import apply_waivers, load_waivers
from tests.conftest import REPO_ROOT
from tests.factories import finding, vuln

README = (REPO_ROOT / "README.md").read_text()


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, re.S)


def test_readme_starts_with_the_two_commands():
    first = blocks("sh")[0].splitlines()
    assert [line.split("#")[0].strip() for line in first] == ["make demo", "make test"]


def test_readme_config_example_is_valid():
    toml = next(b for b in blocks("toml") if "[gate]" in b)
    cfg = parse_config(tomllib.loads(toml), source="README.md")
    assert cfg.gate.conditions


def test_readme_waivers_example_loads_and_matches(tmp_path):
    body = next(b for b in blocks("yaml") if b.startswith("waivers:"))
    p = tmp_path / "waivers.yaml"
    p.write_text(body)
    waivers = load_waivers(p)
    assert len(waivers) == 3
    out = apply_waivers(
        [finding("secrets.aws-access-key", path="tests/fixtures/creds.py"), vuln()],
        waivers,
        today=dt.date(2026, 11, 23),
    )
    assert out.findings == ()


def test_readme_cel_examples_compile():
    for expr in re.findall(r"--condition '([^']+)'", README):
        compile_condition(expr)(vuln())
