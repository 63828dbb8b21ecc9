"""Accuracy against Checkov on terragoat and cfngoat, and the hand-reviewed terragoat findings.

Checkov's own results are committed fixtures (tests/fixtures/iac/checkov/*.json, produced by
``python benchmarks/iac.py --refresh-fixtures``); Checkov is not a test dependency.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from garrison.scan.analyzers.iac.checkov_map import checkov_to_garrison

from .helpers import scan_dir

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "iac"
GOLDEN = FIXTURES / "golden" / "terragoat-findings.txt"


#: Checkov failures Garrison deliberately does not report, reviewed by hand, each with the reason. The test fails
#: when one of them is reported again (drop the entry) or a new one appears (fix the check or review it here).
REVIEWED_DIVERGENCES: dict[str, dict[tuple[str, str], str]] = {
    "terragoat": {
        ("CKV_GCP_69", "google_container_cluster.workload_cluster"): (
            "remove_default_node_pool = true: the cluster's own node config never runs; the separate "
            "google_container_node_pool.custom_node_pool is reported for the metadata server"
        ),
    },
    "cfngoat": {},
}


def _checkov_address(address: str) -> str:
    """Garrison addresses as Checkov spells them: no instance keys, no ``data.``/``provider.`` prefix."""
    address = address.split("[", 1)[0]
    for prefix in ("data.", "provider."):
        if address.startswith(prefix):
            address = address[len(prefix) :]
    if address.count(".") == 0 and "/" not in address:
        address += ".default"
    return address


@pytest.mark.parametrize(("name", "sub"), [("terragoat", "iac/terragoat/terraform"), ("cfngoat", "iac/cfngoat")])
def test_every_mapped_checkov_failure_is_reported(corpus: Path, name: str, sub: str) -> None:
    expected = json.loads((FIXTURES / "checkov" / f"{name}.json").read_text())
    mapping = checkov_to_garrison()
    findings, _, ctx = scan_dir(corpus / sub)
    assert not ctx.errors
    reported = {(f.rule.id, _checkov_address(f.location.resource or "")) for f in findings}
    mapped = [f for f in expected["failed"] if f["check_id"] in mapping]
    assert len(mapped) >= 300 if name == "terragoat" else len(mapped) >= 50
    missing = {
        (f["check_id"], f["resource"])
        for f in mapped
        if not any((gid, f["resource"]) in reported for gid in mapping[f["check_id"]])
    }
    assert sorted(missing) == sorted(REVIEWED_DIVERGENCES[name])


def test_mapping_ids_exist_and_checkov_ids_look_right() -> None:
    for ckv, ids in checkov_to_garrison().items():
        assert ckv.startswith(("CKV_", "CKV2_")), ckv
        assert all(i.startswith("iac.") for i in ids)


def test_terragoat_findings_match_the_reviewed_golden_list(corpus: Path) -> None:
    findings, _, _ = scan_dir(corpus / "iac/terragoat/terraform")
    lines = sorted({f"{f.location.resource}\t{f.rule.id}" for f in findings})
    text = "\n".join(lines) + "\n"
    if os.environ.get("GARRISON_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text)
    assert GOLDEN.read_text() == text
