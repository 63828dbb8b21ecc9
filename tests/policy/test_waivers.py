import datetime as dt
from pathlib import Path

import pytest

from garrison.core.errors import ConfigError
from garrison.core.severity import Severity
from garrison.policy.waivers import apply_waivers, load_waivers
from tests.factories import finding, vuln

TODAY = dt.date(2026, 11, 23)


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "waivers.yaml"
    p.write_text(text)
    return p


def test_three_matching_forms(tmp_path):
    secret = finding("secrets.aws-access-key", path="tests/fixtures/keys.py", anchor="k")
    other = finding("secrets.aws-access-key", path="src/keys.py", anchor="k2")
    by_fp = finding("files.dotenv", path=".env", anchor="e")
    v = vuln()
    p = write(
        tmp_path,
        f"""
waivers:
  - id: fixtures
    rule: secrets.*
    path: "tests/fixtures/**"
    reason: fake keys used by tests
    owner: alice@example.com
    expires: 2027-01-31
  - fingerprint: {by_fp.fingerprint[:16]}
    reason: demo env file
    owner: bob@example.com
    expires: 2026-12-01
  - purl: pkg:pypi/django
    vuln: CVE-2021-33203
    reason: not reachable, admindocs disabled
    owner: carol@example.com
    expires: 2026-12-31
""",
    )
    waivers = load_waivers(p)
    out = apply_waivers([secret, other, by_fp, v], waivers, today=TODAY)
    assert [f.fingerprint for f in out.findings] == [other.fingerprint]
    waived = {s.finding.fingerprint: s.suppression for s in out.suppressed}
    assert waived[secret.fingerprint].source == "fixtures"
    assert waived[secret.fingerprint].owner == "alice@example.com"
    assert waived[by_fp.fingerprint].expires == dt.date(2026, 12, 1)
    assert waived[v.fingerprint].reason == "not reachable, admindocs disabled"
    assert out.unused == ()


def test_expired_waiver_no_longer_suppresses_and_is_reported(tmp_path):
    f = finding("files.dotenv", path=".env", anchor="e", severity=Severity.MEDIUM)
    p = write(
        tmp_path,
        "waivers:\n  - id: old\n    rule: files.dotenv\n    reason: r\n    owner: o\n    expires: 2026-11-22\n",
    )
    out = apply_waivers([f], load_waivers(p), today=TODAY, waivers_path=".garrison/waivers.yaml")
    assert f in out.findings
    expired = [x for x in out.findings if x.rule.id == "policy.waiver-expired"]
    assert len(expired) == 1
    assert expired[0].location.path == ".garrison/waivers.yaml"
    assert expired[0].location.line == 2
    assert "expired on 2026-11-22" in expired[0].message
    assert [w.id for w in out.expired] == ["old"]


def test_waiver_expiring_today_still_applies(tmp_path):
    f = finding("files.dotenv", anchor="e")
    p = write(tmp_path, "waivers:\n  - rule: files.dotenv\n    reason: r\n    owner: o\n    expires: 2026-11-23\n")
    assert apply_waivers([f], load_waivers(p), today=TODAY).findings == ()


def test_purl_with_version_only_matches_that_version(tmp_path):
    p = write(
        tmp_path,
        "waivers:\n  - purl: pkg:pypi/django@3.2.5\n    vuln: GHSA-xxxx-yyyy-zzzz\n    reason: r\n    owner: o\n"
        "    expires: 2027-01-01\n",
    )
    out = apply_waivers([vuln("pkg:pypi/django@3.2.4")], load_waivers(p), today=TODAY)
    assert len(out.findings) == 1
    assert [w.id for w in out.unused] == ["waiver-1"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("waivers:\n  - rule: x\n    owner: o\n    expires: 2027-01-01\n", r"waivers\[0\].reason: is required"),
        ("waivers:\n  - rule: x\n    reason: r\n    expires: 2027-01-01\n", r"waivers\[0\].owner: is required"),
        ("waivers:\n  - rule: x\n    reason: r\n    owner: o\n", r"waivers\[0\].expires: is required"),
        ("waivers:\n  - rule: x\n    reason: r\n    owner: o\n    expires: soon\n", r"invalid date 'soon'"),
        ("waivers:\n  - reason: r\n    owner: o\n    expires: 2027-01-01\n", r"waivers\[0\]: needs exactly one of"),
        (
            "waivers:\n  - rule: x\n    fingerprint: abcdefabcdefabcd\n    reason: r\n    owner: o\n    expires: 2027-01-01\n",
            r"needs exactly one of",
        ),
        (
            "waivers:\n  - purl: pkg:pypi/x\n    reason: r\n    owner: o\n    expires: 2027-01-01\n",
            r"waivers\[0\].vuln: purl and vuln go together",
        ),
        (
            "waivers:\n  - rule: x\n    reason: r\n    owner: o\n    expires: 2027-01-01\n    color: red\n",
            r"waivers\[0\].color: unknown key",
        ),
        (
            "waivers:\n  - fingerprint: abc\n    reason: r\n    owner: o\n    expires: 2027-01-01\n",
            r"at least 12 characters",
        ),
        ("waivers: {}\n", r"waivers: expected a list"),
        ("waivers:\n  - [\n", r"invalid YAML at line"),
        ("waiver: []\n", r"unknown key 'waiver'"),
        ("waivers:\n  - !!python/object:os.system {}\n", r"invalid YAML"),
    ],
)
def test_bad_waivers_are_one_line_errors(tmp_path, body, message):
    p = write(tmp_path, body)
    with pytest.raises(ConfigError, match=message) as info:
        load_waivers(p)
    assert "\n" not in str(info.value)
    assert "waivers.yaml" in str(info.value)


def test_empty_file_is_no_waivers(tmp_path):
    assert load_waivers(write(tmp_path, "")) == []
