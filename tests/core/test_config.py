from pathlib import Path

import pytest

from garrison.core.config import STARTER_CONFIG, Config, load_config, parse_config
from garrison.core.errors import ConfigError
from garrison.core.options import parse_size
from garrison.core.severity import Severity


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "garrison.toml"
    p.write_text(text)
    return p


def test_no_config_gives_defaults(tmp_path):
    cfg = load_config(None, root=tmp_path)
    assert cfg == Config()
    assert cfg.gate.fail_on is Severity.HIGH


def test_config_at_root_is_found(tmp_path):
    write(tmp_path, '[gate]\nfail_on = "critical"\n[scan]\nexclude = ["vendor/"]\nmax_file_size = "1MiB"\n')
    cfg = load_config(None, root=tmp_path)
    assert cfg.gate.fail_on is Severity.CRITICAL
    assert cfg.scan.exclude == ("vendor/",)
    assert cfg.scan.max_file_size == 1024 * 1024
    assert cfg.source == str(tmp_path / "garrison.toml")


def test_starter_config_parses():
    cfg = parse_config(__import__("tomllib").loads(STARTER_CONFIG), source="garrison.toml")
    assert cfg.gate.fail_on is Severity.HIGH
    assert "node_modules/" in cfg.scan.exclude


def test_analyzer_tables_are_kept_for_the_analyzer():
    cfg = parse_config({"analyzers": {"enabled": ["files"], "files": {"permissions": False}}})
    assert cfg.analyzers.enabled == ("files",)
    assert cfg.analyzers.options == {"files": {"permissions": False}}


def test_fail_on_none_disables_severity_gate():
    assert parse_config({"gate": {"fail_on": "none"}}).gate.fail_on is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[scan]\nexlude = []\n", r"garrison.toml: scan.exlude: unknown key"),
        ("[gaet]\n", r"garrison.toml: gaet: unknown key"),
        ('[gate]\nfail_on = "hgh"\n', r"gate.fail_on: unknown severity 'hgh'"),
        ("[gate]\nfail_on = 3\n", r"gate.fail_on: expected a severity name, got an integer"),
        ('[scan]\nmax_file_size = "lots"\n', r"scan.max_file_size: invalid size 'lots'"),
        ("[scan]\njobs = -1\n", r"scan.jobs: must be ≥ 0"),
        ("[analyzers]\nfiles = 3\n", r"analyzers.files: expected a table"),
        ("[scan\n", r"invalid TOML"),
    ],
)
def test_bad_config_is_one_line_naming_file_and_field(tmp_path, text, message):
    p = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(p)
    assert "\n" not in str(info.value)
    assert str(p.name) in str(info.value)


def test_invalid_utf8_config(tmp_path):
    p = tmp_path / "garrison.toml"
    p.write_bytes(b'[gate]\nfail_on = "\xff"\n')
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        load_config(p)


def test_missing_explicit_config(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("value", "expected"), [(10, 10), ("512KB", 512_000), ("10MiB", 10 * 1024**2), ("1.5GB", 1_500_000_000), ("7", 7)]
)
def test_parse_size(value, expected):
    assert parse_size(value) == expected
