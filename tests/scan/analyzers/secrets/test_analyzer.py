"""The secrets analyzer as the engine runs it: redaction, fingerprints, pairing, options, the demo project."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from garrison.core.errors import ConfigError
from garrison.core.options import Options
from garrison.core.severity import Severity
from garrison.scan import engine
from garrison.scan.analyzers.secrets import SecretsAnalyzer
from garrison.scan.analyzers.secrets.catalogue import builtin_rules, family_files
from garrison.scan.analyzers.secrets.matcher import Matcher
from garrison.scan.analyzers.secrets.model import RuleSet
from garrison.scan.target import DirectoryTarget
from tests.conftest import REPO_ROOT

TOKEN = "ghp_Zq8Rn2LkT4vW9xY1bC3dE5fG7hJ0mN6pQs2T"


def run(root: Path, **opts: object):
    analyzer = SecretsAnalyzer(Options(dict(opts), where="analyzers.secrets"))
    return engine.run(DirectoryTarget(root), [analyzer], jobs=1, show_secrets=bool(opts.pop("_show", False)))


def test_secret_is_redacted_in_message_and_evidence(tmp_path: Path):
    (tmp_path / "app.py").write_text(f'GITHUB_TOKEN = "{TOKEN}"\n')
    (f,) = run(tmp_path).findings
    assert TOKEN not in f.message and TOKEN not in json.dumps(dict(f.evidence))
    assert f.evidence["secret"] == "ghp_…[40 chars]"
    assert f.message.endswith("ghp_…[40 chars]")
    assert (f.location.line, f.location.region.start_column) == (1, 17)
    assert f.rule.remediation and f.rule.cwe == (798,)


def test_show_secrets_opts_in(tmp_path: Path):
    (tmp_path / "app.py").write_text(f'GITHUB_TOKEN = "{TOKEN}"\n')
    res = engine.run(DirectoryTarget(tmp_path), [SecretsAnalyzer()], jobs=1, show_secrets=True)
    assert res.findings[0].evidence["secret"] == TOKEN


def test_fingerprint_survives_a_moved_line_and_differs_per_secret(tmp_path: Path):
    (tmp_path / "app.py").write_text(f'T = "{TOKEN}"\n')
    before = run(tmp_path).findings[0].fingerprint
    (tmp_path / "app.py").write_text(f'import os\n\n\nTOKEN_FOR_CI = "{TOKEN}"  # moved\n')
    after = run(tmp_path).findings[0]
    assert after.location.line == 4 and after.fingerprint == before
    (tmp_path / "app.py").write_text('T = "ghp_Ab8Rn2LkT4vW9xY1bC3dE5fG7hJ0mN6pQs2T"\n')
    assert run(tmp_path).findings[0].fingerprint != before


def test_aws_key_pair_is_critical_and_paired(tmp_path: Path):
    (tmp_path / ".aws.env").write_text(
        "AWS_ACCESS_KEY_ID=AKIAZQ3DRSXLPFHVNY7M\nAWS_SECRET_ACCESS_KEY=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\n"
    )
    found = {f.rule.id: f for f in run(tmp_path).findings}
    key = found["secrets.aws-secret-access-key"]
    assert key.severity == Severity.CRITICAL and key.evidence["paired_with"] == "AKIA…[20 chars]"
    assert "paired" in key.tags
    assert found["secrets.aws-access-key-id"].evidence["paired_with"] == "2hpC…[40 chars]"


def test_lone_aws_key_id_is_not_paired(tmp_path: Path):
    (tmp_path / "a.txt").write_text("id = AKIAZQ3DRSXLPFHVNY7M\n" + "\n" * 20 + "x\n")
    (f,) = run(tmp_path).findings
    assert f.severity == Severity.HIGH and "paired_with" not in f.evidence


def test_garrison_allow_and_ignore_markers(tmp_path: Path):
    (tmp_path / "a.py").write_text(
        f'A = "{TOKEN}"  # garrison:allow rotated 2024-05\n'
        f'B = "{TOKEN}"  # garrison:ignore secrets.github-pat test fixture\n'
        f'C = "{TOKEN}"  # garrison:ignore secrets.slack-*\n'
    )
    res = run(tmp_path)
    assert [f.location.line for f in res.findings] == [3]
    assert sorted(s.suppression.reason for s in res.suppressed) == ["rotated 2024-05", "test fixture"]


def test_disabled_rules_and_option_errors(tmp_path: Path):
    (tmp_path / "a.py").write_text(f'T = "{TOKEN}"\n')
    assert run(tmp_path, disabled_rules=["secrets.github-pat"]).findings == ()
    with pytest.raises(ConfigError, match=r"analyzers\.secrets\.disabled_rules: no such rule 'secrets.nope'"):
        SecretsAnalyzer(Options({"disabled_rules": ["secrets.nope"]}, where="analyzers.secrets"))
    with pytest.raises(ConfigError, match="prefilter: expected auto, hyperscan or portable"):
        SecretsAnalyzer(Options({"prefilter": "fast"}, where="analyzers.secrets"))
    with pytest.raises(ConfigError, match="unknown key"):
        SecretsAnalyzer(Options({"verfy": True}, where="analyzers.secrets"))


def test_missing_gitleaks_config_is_a_one_line_error(tmp_path: Path):
    with pytest.raises(ConfigError) as err:
        SecretsAnalyzer(Options({"config": str(tmp_path / "nope.toml")}, where="analyzers.secrets"))
    assert "nope.toml: file not found" in err.value.message


def test_portable_prefilter_finds_exactly_what_hyperscan_finds():
    rules = RuleSet(rules=list(builtin_rules()))
    hs, portable = Matcher(rules, prefilter="hyperscan"), Matcher(rules, prefilter="portable")
    assert (hs.prefilter.name, portable.prefilter.name) == ("hyperscan", "re2-set")
    cases = Path(__file__).parent / "cases"
    corpus = []
    for fam in family_files():
        for case in tomllib.loads((cases / fam).read_text()).values():
            corpus += case["tp"] + case["fp"]
    blob = ("\n".join(corpus) + "\n").encode()
    key = lambda hits: [(h.rule.id, h.start, h.secret) for h in hits]  # noqa: E731
    assert key(hs.scan(blob, "all.txt")) == key(portable.scan(blob, "all.txt"))
    assert len(hs.scan(blob, "all.txt")) >= 250


def test_binary_and_config_files_are_skipped(tmp_path: Path):
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + TOKEN.encode())
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01" + TOKEN.encode())
    (tmp_path / ".gitleaks.toml").write_text(f"[[rules]]\nid='t'\nregex='''{TOKEN}'''\n")
    res = run(tmp_path, config=str(tmp_path / ".gitleaks.toml"))
    assert res.findings == ()
    assert res.stats.skipped_binary == 1


def test_demo_project_real_looking_credentials_found_placeholder_not(tmp_path: Path):
    demo = REPO_ROOT / "examples" / "insecure-app"
    res = engine.run(DirectoryTarget(demo), [SecretsAnalyzer()], jobs=1)
    got = {(f.location.path, f.rule.id) for f in res.findings}
    assert {
        (".env", "secrets.aws-access-key-id"),
        (".env", "secrets.aws-secret-access-key"),
        (".env", "secrets.postgres-url"),
        ("app/settings.py", "secrets.django-secret-key"),
        ("app/settings.py", "secrets.stripe-secret-key"),
        ("app/settings.py", "secrets.github-pat"),
        ("app/settings.py", "secrets.slack-bot-token"),
        ("deploy/id_ed25519", "secrets.private-key-openssh"),
        ("docker-compose.yml", "secrets.postgres-url"),
        ("docker-compose.yml", "secrets.generic-password"),
        ("infra/main.tf", "secrets.generic-password"),
        ("Dockerfile", "secrets.generic-password"),
    } <= got
    settings = [f for f in res.findings if f.location.path == "app/settings.py"]
    assert all("sendgrid" not in f.rule.id for f in settings)
    assert not any(f.location.line == 13 for f in settings)  # the <your-sendgrid-key> placeholder


def test_analyzer_errors_are_isolated_per_file(tmp_path: Path):
    (tmp_path / "ok.py").write_text(f'T = "{TOKEN}"\n')
    (tmp_path / "bad.py").write_bytes(b"\xff\xfe\xfa" + b"A" * 100)
    res = run(tmp_path)
    assert len(res.findings) == 1 and res.runs[0].errors == ()


def test_prefilters_agree_on_real_files(corpus: Path):
    """hyperscan's regex prefilter only skips work: on real files both prefilters report the same hits."""
    rules = RuleSet(rules=list(builtin_rules()))
    hs, portable = Matcher(rules, prefilter="hyperscan"), Matcher(rules, prefilter="portable")
    roots = [corpus / "secrets" / "gitleaks", corpus / "iac", corpus / "sigma"]
    paths = sorted(p for r in roots for p in r.rglob("*") if p.is_file() and p.stat().st_size < 1_000_000)[:1500]
    hits = 0
    for p in paths:
        data = p.read_bytes()
        a = [(h.rule.id, h.start, h.secret) for h in hs.scan(data, p.name)]
        assert a == [(h.rule.id, h.start, h.secret) for h in portable.scan(data, p.name)], p
        hits += len(a)
    assert hits > 0


def test_a_key_on_one_line_and_a_value_on_the_next_is_not_an_assignment(tmp_path: Path):
    (tmp_path / "c.yml").write_text(
        "db_password:\n  CommandLine|contains: x9Kq2LmZ81\nsecret_token:\n  - Rk29LpQ7xZ3mNv\n"
    )
    assert run(tmp_path).findings == ()
