"""Shared fixtures: the real-data corpus, the CLI runner, scenario trees."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def corpus_root() -> Path:
    """``GARRISON_CORPUS`` or ``../shared/data`` next to the repository (always present in CI)."""
    env = os.environ.get("GARRISON_CORPUS")
    return Path(env) if env else (REPO_ROOT.parent / "shared" / "data")


@pytest.fixture(scope="session")
def corpus() -> Path:
    root = corpus_root()
    if not root.is_dir():
        pytest.fail(f"corpus not found at {root} (set GARRISON_CORPUS to ../shared/data)")
    return root


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``garrison`` in-process: ``cli("scan", str(path), "--format", "json")``."""
    from garrison.cli.main import main

    def run(*args: str) -> CliResult:
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
