"""Session fixtures for the detection tests: the whole SigmaHQ ruleset compiled once."""

from __future__ import annotations

from pathlib import Path

import pytest

from garrison.detect.cache import RulesetCache
from garrison.detect.detector import Detector
from garrison.detect.load import load_ruleset
from garrison.detect.ruleset import RuleSet

RULE_DIRS = ("rules", "rules-emerging-threats", "rules-placeholder", "rules-threat-hunting")
LOGS = Path(__file__).resolve().parent.parent / "fixtures" / "detect" / "logs"


@pytest.fixture(scope="session")
def sigma_dir(corpus: Path) -> Path:
    return corpus / "sigma"


@pytest.fixture(scope="session")
def sigma_ruleset(sigma_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    # one compiled-ruleset cache shared by the xdist workers of this run (the root is common to them)
    shared = tmp_path_factory.getbasetemp().parent / "garrison-sigma-cache"
    shared.mkdir(mode=0o700, exist_ok=True)
    rs, _info = load_ruleset([sigma_dir / d for d in RULE_DIRS], cache=RulesetCache(shared))
    return rs


@pytest.fixture(scope="session")
def sigma_detector(sigma_ruleset: RuleSet) -> Detector:
    det = Detector(sigma_ruleset)
    det.compile_all()
    return det


@pytest.fixture
def logs_dir() -> Path:
    return LOGS
