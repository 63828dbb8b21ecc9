"""Table-driven over the whole built-in catalogue: every rule fires on its true positives and stays quiet on
its false positives (cases/<family>.toml, realistic lines with random tokens)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import pytest

from garrison.scan.analyzers.secrets.catalogue import RULE_PREFIX, builtin_rules, family_files
from garrison.scan.analyzers.secrets.matcher import Matcher
from garrison.scan.analyzers.secrets.model import RuleSet

CASES = Path(__file__).parent / "cases"


@cache
def matcher() -> Matcher:
    return Matcher(RuleSet(rules=list(builtin_rules())))


def _cases() -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for fam in family_files():
        out.update(tomllib.loads((CASES / fam).read_text(encoding="utf-8")))
    return out


ALL_CASES = _cases()
RULE_IDS = [r.id.removeprefix(RULE_PREFIX) for r in builtin_rules()]


def test_catalogue_has_150_plus_credential_types_with_stable_ids_and_remediation():
    rules = builtin_rules()
    assert len(rules) >= 150
    assert len({r.id for r in rules}) == len(rules)
    for r in rules:
        assert r.id.startswith("secrets.") and r.id == r.id.lower()
        assert len(r.remediation) > 40, r.id
        assert r.keywords, r.id


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_has_true_and_false_positive_cases(rule_id: str):
    case = ALL_CASES.get(rule_id)
    assert case is not None, f"no cases for {rule_id}"
    assert case["tp"] and case["fp"]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_true_positives_fire(rule_id: str):
    case = ALL_CASES[rule_id]
    for line in case["tp"]:  # type: ignore[attr-defined]
        data = (line + "\n").encode()
        hits = matcher().scan(data, str(case.get("path", "src/app/settings.py")))
        ids = [h.rule.id for h in hits]
        assert RULE_PREFIX + rule_id in ids, f"{rule_id} missed: {line!r} (got {ids})"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_false_positives_stay_quiet(rule_id: str):
    case = ALL_CASES[rule_id]
    for line in case["fp"]:  # type: ignore[attr-defined]
        data = (line + "\n").encode()
        hits = matcher().scan(data, str(case.get("path", "src/app/settings.py")))
        assert not hits, f"{rule_id} false positive {line!r}: {[(h.rule.id, h.secret) for h in hits]}"


def test_every_builtin_regex_compiles_with_re2_and_its_secret_group_exists():
    from garrison.scan.analyzers.secrets.catalogue import parse_family

    cases_dir = Path(__file__).parent.parent.parent.parent.parent / "src/garrison/scan/analyzers/secrets/rules"
    for fam in family_files():
        data = tomllib.loads((cases_dir / fam).read_text(encoding="utf-8"))
        for rule in parse_family(data, source=fam, lazy=False):
            assert rule.regex is not None and rule.regex.engine == "re2"
            assert rule.secret_group <= rule.regex.groups
