import pytest

from garrison.core.errors import ConfigError
from garrison.core.severity import Severity
from garrison.policy.cel import compile_condition, rewrite_severity
from tests.factories import finding, vuln


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('finding.severity >= "high"', "finding.severity_rank >= 3"),
        ("finding.rule.severity < 'medium'", "finding.rule.severity_rank < 2"),
        ('"critical" == finding.severity', "4 == finding.severity_rank"),
        ('finding.message == "high"', 'finding.message == "high"'),
    ],
)
def test_severity_comparisons_become_rank_comparisons(expr, expected):
    assert rewrite_severity(expr) == expected


def test_issue_example_fails_on_fixable_high_vulns_only():
    cond = compile_condition('finding.severity >= "high" && finding.fix.available')
    assert cond(vuln(fixed=True))
    assert not cond(vuln(fixed=False))
    assert not cond(finding(severity=Severity.MEDIUM))


@pytest.mark.parametrize(
    ("expr", "matches"),
    [
        ('finding.kind == "vulnerability" && finding.score >= 7.0', True),
        ('"CVE-2021-33203" in finding.aliases', True),
        ('finding.purl.startsWith("pkg:pypi/")', True),
        ("89 in finding.rule.cwe", True),
        ('finding.path.endsWith(".txt") && finding.line == 2', True),
        ('finding.severity > "high"', False),
    ],
)
def test_finding_view_fields(expr, matches):
    assert compile_condition(expr)(vuln()) is matches


def test_syntax_error_names_the_field():
    with pytest.raises(ConfigError, match=r"gate.conditions\[1\]: invalid CEL expression 'finding.severity >'"):
        compile_condition("finding.severity >", where="gate.conditions[1]", source="garrison.toml")


def test_unknown_severity_literal_is_rejected():
    with pytest.raises(ConfigError, match="unknown severity 'urgent'"):
        compile_condition('finding.severity >= "urgent"')


def test_runtime_error_and_non_boolean_are_config_errors():
    with pytest.raises(ConfigError, match="failed on finding"):
        compile_condition("finding.nope == 1")(finding())
    with pytest.raises(ConfigError, match="must be true or false"):
        compile_condition("finding.line")(finding())
