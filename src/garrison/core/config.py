"""``garrison.toml``: which analyzers run with which options, which paths, and the gate policy."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from garrison.core.errors import ConfigError
from garrison.core.options import Options
from garrison.core.severity import Severity

CONFIG_NAME = "garrison.toml"
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
DEFAULT_ARCHIVE_MAX_SIZE = 256 * 1024 * 1024
DEFAULT_WAIVERS = ".garrison/waivers.yaml"


@dataclass(frozen=True, slots=True)
class ScanConfig:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    gitignore: bool = True
    jobs: int = 0  # 0: one per CPU
    archives: bool = True  # scan the members of zip/jar/whl/tar(.gz|.bz2|.xz) files in the tree
    archive_max_depth: int = 2  # archives inside archives, this many levels deep
    archive_max_members: int = 10_000  # members read per archive
    archive_max_size: int = DEFAULT_ARCHIVE_MAX_SIZE  # expanded bytes per archive (zip-bomb guard)


@dataclass(frozen=True, slots=True)
class AnalyzersConfig:
    enabled: tuple[str, ...] | None = None  # None: every installed analyzer
    disabled: tuple[str, ...] = ()
    options: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GateConfig:
    fail_on: Severity | None = Severity.HIGH
    conditions: tuple[str, ...] = ()
    waivers: str | None = None  # path relative to the scan root; default .garrison/waivers.yaml if present
    baseline: str | None = None


@dataclass(frozen=True, slots=True)
class Config:
    scan: ScanConfig = ScanConfig()
    analyzers: AnalyzersConfig = AnalyzersConfig()
    gate: GateConfig = GateConfig()
    source: str | None = None  # the file it came from, None for defaults


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file with one-line errors naming the file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found", path=str(path)) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, expected a TOML file", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not valid UTF-8 (byte {exc.start})", path=str(path)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=str(path)) from None


def load_config(path: Path | None, *, root: Path | None = None) -> Config:
    """Load ``path``, or ``root/garrison.toml`` when it exists, or the embedded defaults."""
    if path is None:
        if root is None:
            return Config()
        candidate = (root if root.is_dir() else root.parent) / CONFIG_NAME
        if not candidate.is_file():
            return Config()
        path = candidate
    return parse_config(read_toml(path), source=os.fspath(path))


def parse_config(data: dict[str, Any], *, source: str | None = None) -> Config:
    top = Options(data, source=source)

    scan = top.table("scan")
    scan_cfg = ScanConfig(
        include=tuple(scan.strings("include")),
        exclude=tuple(scan.strings("exclude")),
        max_file_size=scan.size("max_file_size", DEFAULT_MAX_FILE_SIZE),
        gitignore=scan.boolean("gitignore", True),
        jobs=scan.integer("jobs", 0, minimum=0, maximum=256),
        archives=scan.boolean("archives", True),
        archive_max_depth=scan.integer("archive_max_depth", 2, minimum=0, maximum=16),
        archive_max_members=scan.integer("archive_max_members", 10_000, minimum=1, maximum=10_000_000),
        archive_max_size=scan.size("archive_max_size", DEFAULT_ARCHIVE_MAX_SIZE),
    )
    scan.finish()

    analyzers = top.table("analyzers")
    enabled = tuple(analyzers.strings("enabled")) if analyzers.has("enabled") else None
    disabled = tuple(analyzers.strings("disabled"))
    options: dict[str, dict[str, Any]] = {}
    for key in analyzers.keys():  # noqa: SIM118 - Options is not a dict
        if key in ("enabled", "disabled"):
            continue
        value = analyzers.raw(key)
        if not isinstance(value, dict):
            raise analyzers.error(key, "expected a table of options for this analyzer")
        options[key] = value
    analyzers.finish()

    gate = top.table("gate")
    gate_cfg = GateConfig(
        fail_on=gate.severity("fail_on", Severity.HIGH),
        conditions=tuple(gate.strings("conditions")),
        waivers=gate.string("waivers"),
        baseline=gate.string("baseline"),
    )
    gate.finish()
    top.finish()
    return Config(
        scan=scan_cfg,
        analyzers=AnalyzersConfig(enabled=enabled, disabled=disabled, options=options),
        gate=gate_cfg,
        source=source,
    )


STARTER_CONFIG = """\
# garrison.toml — Garrison's configuration for this repository.
# Every key is optional; unknown keys are an error so typos never go unnoticed.
# Reference: docs/configuration.md

[scan]
# Paths use .gitignore syntax, relative to this file's directory.
# include = ["src/**", "infra/**"]   # only these paths (default: everything)
exclude = ["node_modules/", ".venv/", "dist/", "build/"]
# max_file_size = "10MiB"            # larger files are skipped and counted
# gitignore = true                   # honour .gitignore files (.garrisonignore is always honoured)
# jobs = 0                           # worker processes for per-file analyzers; 0 = one per CPU
# archives = true                    # scan inside zip/jar/whl/tar(.gz|.bz2|.xz) files in the tree
# archive_max_depth = 2              # archives inside archives, this many levels deep
# archive_max_members = 10000        # members read per archive
# archive_max_size = "256MiB"        # expanded bytes per archive (zip-bomb guard)

[analyzers]
# enabled = ["files", "secrets", "deps", "iac"]   # default: every installed analyzer
# disabled = []

# Options of one analyzer live in its own table, e.g.:
# [analyzers.files]
# sensitive_names = true

[gate]
# Fail (exit 1) when an unsuppressed finding is at or above this severity ("none" to never fail on severity).
fail_on = "high"
# CEL expressions over each finding; any true expression fails the gate too.
# conditions = ['finding.severity >= "medium" && finding.fix.available']
# waivers = ".garrison/waivers.yaml"   # default path; each waiver needs reason, owner and expires
# baseline = ".garrison/baseline.json" # findings in the baseline do not fail the gate
"""
