"""OSV document decoding and CVSS scores."""

from __future__ import annotations

import json

import pytest

from garrison.advisories.cvss import base_score, best_score
from garrison.advisories.model import Severity
from garrison.advisories.osv import AdvisoryError, from_record, load_document, parse_advisory, to_record


def test_yaml_scalars_stay_strings() -> None:
    doc = load_document(b"id: X-1\naffected:\n- versions: [0.10, 1.0]\nmodified: 2021-01-01\n", "x.yaml")
    assert doc["affected"][0]["versions"] == ["0.10", "1.0"]
    assert doc["modified"] == "2021-01-01"


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ({}, "id"),
        ({"id": "X-1", "affected": {"a": 1}}, "affected"),
        ({"id": "X-1", "affected": [{"package": {"name": "a"}}]}, "affected[0].package.ecosystem"),
        (
            {
                "id": "X-1",
                "affected": [{"ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "1", "introduced": "0"}]}]}],
            },
            "affected[0].ranges[0].events[0]",
        ),
        ({"id": "X-1", "aliases": "CVE-1"}, "aliases"),
    ],
)
def test_invalid_documents_name_the_field(doc: dict[str, object], field: str) -> None:
    with pytest.raises(AdvisoryError) as err:
        parse_advisory(doc, "adv.json")
    assert err.value.message.startswith(f"adv.json: {field}:")
    assert "\n" not in err.value.message


def test_malformed_bytes() -> None:
    with pytest.raises(AdvisoryError, match="invalid JSON at line 1"):
        load_document(b"{nope", "a.json")
    with pytest.raises(AdvisoryError, match="not valid UTF-8"):
        load_document(b"\xff\xfe", "a.json")
    with pytest.raises(AdvisoryError, match="invalid YAML"):
        load_document(b"a: [", "a.yaml")
    with pytest.raises(AdvisoryError, match="nested too deeply"):
        load_document(b"[" * 100000, "a.json")


# Published example vectors with their base scores (FIRST specification documents / NVD).
@pytest.mark.parametrize(
    ("kind", "vector", "score"),
    [
        ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),  # e.g. CVE-2021-44228 is 10.0 with S:C
        ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
        ("CVSS_V3", "CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1),
        ("CVSS_V3", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
        ("CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3),
        ("CVSS_V4", "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 8.5),
        ("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
    ],
)
def test_cvss_base_scores(kind: str, vector: str, score: float) -> None:
    assert base_score(kind, vector) == score


def test_best_score_prefers_the_newest_cvss_version_and_skips_invalid() -> None:
    entries = [
        Severity("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        Severity("CVSS_V4", "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
        Severity("CVSS_V4", "garbage"),
    ]
    assert best_score(entries) == (8.5, entries[1].score)
    assert best_score([Severity("CVSS_V3", "CVSS:3.1/AV:X")]) is None


def test_record_round_trip(corpus: object) -> None:
    from pathlib import Path

    path = Path(str(corpus)) / "advisories" / "crates.io" / "crates"
    sample = sorted(path.glob("RUSTSEC-*.json"))[:50]
    for f in sample:
        adv = parse_advisory(json.loads(f.read_text()), f.name)
        again = from_record(json.loads(json.dumps(to_record(adv))))
        assert again.id == adv.id and again.affected == adv.affected and again.score == adv.score


def test_deep_yaml_is_refused_before_libyaml_sees_it() -> None:
    for text in ("[" * 50_000, "- " * 50_000 + "x", "a:\n" + "".join("  " * i + "b:\n" for i in range(1, 300))):
        with pytest.raises(AdvisoryError, match="nested too deeply"):
            load_document(text.encode(), "deep.yaml")
