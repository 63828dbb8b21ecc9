from garrison.core.severity import Severity
from garrison.policy.cel import compile_condition
from garrison.policy.gate import GatePolicy, evaluate
from tests.factories import finding, vuln


def test_threshold():
    high = finding("a", Severity.HIGH, anchor="1")
    low = finding("b", Severity.LOW, anchor="2")
    d = evaluate([high, low], GatePolicy(fail_on=Severity.HIGH))
    assert not d.passed
    assert d.fails(high)
    assert not d.fails(low)
    assert d.failing[high.fingerprint] == ("severity high >= high",)


def test_no_findings_pass():
    assert evaluate([], GatePolicy()).passed


def test_fail_on_none_with_condition():
    cond = compile_condition('finding.kind == "vulnerability"')
    f = finding(severity=Severity.CRITICAL)
    v = vuln()
    d = evaluate([f, v], GatePolicy(fail_on=None, conditions=(cond,)))
    assert d.fails(v)
    assert not d.fails(f)
    assert d.failing[v.fingerprint] == ('condition: finding.kind == "vulnerability"',)


def test_reasons_accumulate():
    cond = compile_condition("finding.fix.available")
    v = vuln()
    d = evaluate([v], GatePolicy(fail_on=Severity.MEDIUM, conditions=(cond,)))
    assert d.failing[v.fingerprint] == ("severity high >= medium", "condition: finding.fix.available")
