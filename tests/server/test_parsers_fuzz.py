"""Fuzzing the service's own parsers: EPSS CSV, KEV JSON and the upload body (Garrison JSON / SARIF). Hostile
input gives a parsed result or a one-line error, never another exception."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garrison.core.errors import GarrisonError, InputError
from garrison.server.intel.parsers import parse_epss, parse_kev
from garrison.server.scans.ingest import build_upload
from tests.server.reports import finding, many, report

EPSS = (
    b"#model_version:v2025.03.14,score_date:2026-03-01T00:00:00+0000\n"
    b"cve,epss,percentile\nCVE-1999-0001,0.01167,0.83199\nCVE-2021-44228,0.94358,0.99961\n"
)
KEV = json.dumps(
    {
        "title": "CISA Catalog of Known Exploited Vulnerabilities",
        "catalogVersion": "2026.03.01",
        "count": 1,
        "vulnerabilities": [
            {
                "cveID": "CVE-2021-44228",
                "vendorProject": "Apache",
                "product": "Log4j2",
                "vulnerabilityName": "Apache Log4j2 Remote Code Execution Vulnerability",
                "dateAdded": "2021-12-10",
                "shortDescription": "JNDI features do not protect against attacker-controlled LDAP endpoints.",
                "requiredAction": "Apply updates per vendor instructions.",
                "dueDate": "2021-12-24",
                "knownRansomwareCampaignUse": "Known",
                "notes": "",
            }
        ],
    }
).encode()


def one_line_or_ok(parse: Any, raw: bytes) -> bool:
    """The parser returns rows or raises a one-line InputError (anything else propagates and fails)."""
    try:
        parse(raw)
    except InputError as exc:
        return "\n" not in exc.message
    return True


def test_epss_and_kev_samples_parse() -> None:
    rows = parse_epss(EPSS)
    assert [(r.cve, r.score_date) for r in rows] == [("CVE-1999-0001", "2026-03-01"), ("CVE-2021-44228", "2026-03-01")]
    assert parse_epss(gzip.compress(EPSS)) == rows
    assert parse_epss(b"cve,epss,percentile\nCVE-2020-1234,0.5,0.5\n")[0].score_date == ""
    kev = parse_kev(KEV)
    assert kev[0].ransomware and kev[0].date_added == "2021-12-10"


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        (b"", "header"),
        (b"cve,epss,percentile\nCVE-1,0.1,0.1\n", "line 2: not a CVE id"),
        (b"cve,epss,percentile\nCVE-2020-1234,abc,0.1\n", "line 2: epss and percentile must be numbers"),
        (b"cve,epss,percentile\nCVE-2020-1234,1.5,0.1\n", "within 0"),
        (b"\x1f\x8bnot gzip", "corrupt gzip"),
        (b"\xff\xfe", "UTF-8"),
    ],
)
def test_bad_epss_files_name_the_line(raw: bytes, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        parse_epss(raw, source="epss.csv")


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=300)
    | st.builds(lambda b, i: EPSS[:i] + b + EPSS[i:], st.binary(max_size=20), st.integers(0, len(EPSS)))
)
def test_fuzz_epss(raw: bytes) -> None:
    assert one_line_or_ok(parse_epss, raw)


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=300)
    | st.builds(lambda b, i: KEV[:i] + b + KEV[i:], st.binary(max_size=20), st.integers(0, len(KEV)))
)
def test_fuzz_kev(raw: bytes) -> None:
    assert one_line_or_ok(parse_kev, raw)


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _mutate(doc: Any, data: Any) -> Any:
    paths: list[list[Any]] = []

    def walk(node: Any, path: list[Any]) -> None:
        paths.append(path)
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, [*path, k])
        elif isinstance(node, list):
            for i, v in enumerate(node[:5]):
                walk(v, [*path, i])

    walk(doc, [])
    if len(paths) < 2:
        return data.draw(json_value)
    path = data.draw(st.sampled_from(paths[1:]))
    doc = copy.deepcopy(doc)
    node = doc
    for p in path[:-1]:
        node = node[p]
    if data.draw(st.booleans()) and isinstance(node, dict):
        del node[path[-1]]
    else:
        node[path[-1]] = data.draw(json_value)
    return doc


SEED = report([finding("r1", "a.py"), *many(3)], analyzers=("secrets", "deps"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_upload_body_garrison_and_sarif(corpus: Path, data: Any) -> None:
    if data.draw(st.booleans()):
        seed: Any = SEED
    else:
        seed = _SARIF.setdefault("x", json.loads((corpus / "scan-reports/sarif/appendix_k2.sarif").read_text()))
    doc = seed
    for _ in range(data.draw(st.integers(1, 3))):
        doc = _mutate(doc, data)
    raw = json.dumps(doc).encode()
    outcome: Any
    try:
        outcome = build_upload(raw, branch="main", commit="", partial=False)
    except GarrisonError as exc:
        outcome = exc
    if isinstance(outcome, GarrisonError):
        assert "\n" not in outcome.message and getattr(outcome, "status", 400) in (400, 413, 422)
    else:
        assert len(outcome.observed) == len({o.fingerprint for o in outcome.observed})


_SARIF: dict[str, Any] = {}
