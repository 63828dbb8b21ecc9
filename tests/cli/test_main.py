import subprocess
import sys

from garrison import __version__


def test_version_fast_path_imports_no_command_modules():
    code = "import sys; from garrison.cli.main import main; main(['--version']); print(sorted(m for m in sys.modules if m.startswith('garrison')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert f"garrison {__version__}" in out
    assert "garrison.cli.scan" not in out
    assert "garrison.scan" not in out


def test_help_lists_commands_and_exit_codes(cli):
    import pytest

    with pytest.raises(SystemExit) as info:
        cli("--help")
    assert info.value.code == 0


def test_no_command_prints_help_and_exits_2(cli):
    r = cli()
    assert r.code == 2
    assert "scan" in r.err


def test_per_command_help_has_examples():
    for cmd in (["scan"], ["baseline", "create"], ["init"], ["rules"]):
        out = subprocess.run([sys.executable, "-m", "garrison", *cmd, "--help"], capture_output=True, text=True).stdout
        assert "example" in out, cmd


def test_init_writes_starter_config(cli, tmp_path):
    assert cli("init", str(tmp_path)).code == 0
    text = (tmp_path / "garrison.toml").read_text()
    assert "[gate]" in text
    assert cli("init", str(tmp_path), "--force").code == 0


def test_rules_list(cli):
    r = cli("rules", "list")
    assert r.code == 0
    assert "files.world-writable" in r.out
    import json

    doc = json.loads(cli("rules", "list", "--format", "json", "--analyzer", "files").out)
    assert {d["analyzer"] for d in doc} == {"files"}
    assert all(d["severity"] in {"info", "low", "medium", "high", "critical"} for d in doc)
