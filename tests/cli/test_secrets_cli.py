"""`garrison scan` with the secrets flags: bad input is one line and exit 2; redaction end to end."""

from __future__ import annotations

import json
from pathlib import Path

TOKEN = "ghp_Zq8Rn2LkT4vW9xY1bC3dE5fG7hJ0mN6pQs2T"


def test_secrets_config_missing_file(cli, tmp_path: Path):
    r = cli("scan", str(tmp_path), "--secrets-config", str(tmp_path / "nope.toml"))
    assert r.code == 2
    assert r.err.count("\n") == 1 and "nope.toml: --secrets-config: no such file" in r.err


def test_secrets_config_invalid(cli, tmp_path: Path):
    cfg = tmp_path / "gl.toml"
    cfg.write_text("[[rules]]\ndescription = 'x'\nregex = '''a(b'''\n")
    r = cli("scan", str(tmp_path), "--secrets-config", str(cfg))
    assert r.code == 2 and r.err.count("\n") == 1
    assert "gl.toml: rules[0].regex: invalid regular expression 'a(b'" in r.err
    cfg.write_text("[[rules]]\nid = 'x'\nregex = 'a'\n[[rules.allowlists]]\ncondition = 'xor'\nregexes = ['b']\n")
    r = cli("scan", str(tmp_path), "--secrets-config", str(cfg))
    assert r.code == 2 and "unknown allowlist |condition| 'xor'" in r.err
    cfg.write_text("[[rules]\n")
    r = cli("scan", str(tmp_path), "--secrets-config", str(cfg))
    assert r.code == 2 and "gl.toml: invalid TOML" in r.err


def test_staged_outside_a_repository_and_combinations(cli, tmp_path: Path):
    r = cli("scan", str(tmp_path), "--staged")
    assert r.code == 2 and "not inside a git repository" in r.err and r.err.count("\n") == 1
    r = cli("scan", str(tmp_path), "--staged", "--git-history")
    assert r.code == 2 and "--staged and --git-history cannot be combined" in r.err


def test_unknown_secrets_option_in_garrison_toml(cli, tmp_path: Path):
    (tmp_path / "garrison.toml").write_text("[analyzers.secrets]\nverfy = true\n")
    r = cli("scan", str(tmp_path))
    assert r.code == 2 and "garrison.toml: analyzers.secrets.verfy: unknown key" in r.err


def test_redacted_in_every_format_unless_show_secrets(cli, tmp_path: Path):
    (tmp_path / "app.py").write_text(f'TOKEN = "{TOKEN}"\n')
    out = tmp_path / "out"
    for fmt in ("json", "sarif", "junit", "markdown", "html"):
        cli("scan", str(tmp_path), "--analyzer", "secrets", "-f", f"{fmt}={out / fmt}")
        assert TOKEN not in (out / fmt).read_text(), fmt
    r = cli("scan", str(tmp_path), "--analyzer", "secrets")
    assert TOKEN not in r.out and "ghp_…[40 chars]" in r.out
    r = cli("scan", str(tmp_path), "--analyzer", "secrets", "--show-secrets", "-f", "json")
    assert json.loads(r.out)["findings"][0]["evidence"]["secret"] == TOKEN


def test_gitleaks_config_via_cli(cli, tmp_path: Path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text("key = tok_a1b2c3d4e5f6\n")
    cfg = tmp_path / ".gitleaks.toml"
    cfg.write_text("[[rules]]\nid = 'tok'\ndescription = 'Internal token'\nregex = '''tok_[a-z0-9]{12}'''\n")
    r = cli("scan", str(tmp_path), "--analyzer", "secrets", "--secrets-config", str(cfg), "-f", "json")
    doc = json.loads(r.out)
    assert r.code == 1
    assert [f["rule"]["id"] for f in doc["findings"]] == ["secrets.gitleaks.tok"]
    assert doc["metadata"]["secrets"]["rules"] == 1
