"""Every source parser fuzzed with hypothesis, seeded with real files (the sample logs, SigmaHQ regression EVTX
and their JSON): corrupt input must be counted or recorded — never an exception, never a hang."""

from __future__ import annotations

import io
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garrison.detect import sources as src
from garrison.detect.sources.base import SourceStats

LOGS = Path(__file__).resolve().parents[2] / "fixtures" / "detect" / "logs"
SEEDS = {
    "auditd": [LOGS / "audit.log"],
    "syslog": [LOGS / "auth.log"],
    "weblog": [LOGS / "access.log"],
    "cloudtrail": [LOGS / "cloudtrail.json", LOGS / "cloudtrail.json.gz"],
    "k8s-audit": [LOGS / "k8s-audit.jsonl"],
    "zeek": [LOGS / "dns.log"],
    "suricata": [LOGS / "eve.json"],
    "jsonl": [LOGS / "winlogbeat.jsonl", LOGS / "k8s-audit.jsonl"],
    "ecs": [LOGS / "winlogbeat.jsonl"],
    "json": [LOGS / "cloudtrail.json"],
}
PER_EXAMPLE_SECONDS = 5.0


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(0, 8))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "dup"]))
        if not data:
            data.extend(draw(st.binary(max_size=64)))
            continue
        pos = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(
                st.binary(max_size=64) | st.sampled_from([b"\x00", b"\n", b"{", b'"', b"\\", b"]", b"\xff\xfe"])
            )
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[pos:]
        else:
            chunk = data[pos : pos + draw(st.integers(1, 256))]
            data[pos:pos] = chunk
    return bytes(data)


def _drain(fmt: str, data: bytes) -> SourceStats:
    stats = SourceStats("fuzz")
    stream = io.BufferedReader(io.BytesIO(data))
    if data[:2] == b"\x1f\x8b":
        import gzip

        stream = gzip.GzipFile(fileobj=io.BytesIO(data))  # type: ignore[assignment]
    t0 = time.perf_counter()
    try:
        for ev in src.get_source(fmt).records(stream, "fuzz", stats):
            assert isinstance(ev.fields, dict)
    except (OSError, EOFError, zlib.error) as exc:  # gzip's own "not a gzip file" / truncation: the caller records it
        stats.error = str(exc)
    assert time.perf_counter() - t0 < PER_EXAMPLE_SECONDS
    return stats


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_text_sources_survive_mutation(fmt: str) -> None:
    seeds = [p.read_bytes() for p in SEEDS[fmt]]

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.sampled_from(seeds).flatmap(mutated))
    def run(data: bytes) -> None:
        _drain(fmt, data)

    run()


def test_evtx_survives_mutation(sigma_dir: Path) -> None:
    evtx = sorted((sigma_dir / "regression_data").rglob("*.evtx"), key=lambda p: p.stat().st_size)
    seeds = [evtx[0].read_bytes(), evtx[len(evtx) // 2].read_bytes()]

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.sampled_from(seeds).flatmap(mutated))
    def run(data: bytes) -> None:
        from garrison.detect.sources.windows import EvtxSource

        stats = SourceStats("fuzz.evtx")
        t0 = time.perf_counter()
        for ev in EvtxSource().records(io.BytesIO(data), "fuzz.evtx", stats):
            assert "EventID" in ev.fields or ev.fields
        assert time.perf_counter() - t0 < PER_EXAMPLE_SECONDS

    run()


def test_hunt_over_hostile_files_records_and_goes_on(tmp_path: Path, sigma_dir: Path) -> None:
    """A whole run over garbage of every kind: no crash, each bad input recorded, good inputs still hunted."""
    from garrison.detect.hunt import HuntRequest, run_hunt

    (tmp_path / "a.evtx").write_bytes(b"ElfFile\x00" + b"\xff" * 5000)
    (tmp_path / "b.json").write_bytes(b'{"Records": [' + b"{" * 100000)
    (tmp_path / "c.log").write_bytes(b"\x00\x01\x02" * 1000)
    (tmp_path / "d.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (tmp_path / "e.jsonl").write_bytes(b'{"a": [' * 5000 + b"\n")
    good = tmp_path / "f.jsonl"
    good.write_bytes((LOGS / "winlogbeat.jsonl").read_bytes())
    rules = tmp_path / "r.yml"
    rules.write_text(
        "title: certutil\nid: 7e5c1f4e-0000-4000-8000-000000000001\nlevel: high\nlogsource:\n  product: windows\n"
        "  category: process_creation\ndetection:\n  sel:\n    Image|endswith: '\\certutil.exe'\n  condition: sel\n"
    )
    out = run_hunt(HuntRequest(rules=(rules,), logs=(str(tmp_path),), cache=False))
    by_name = {Path(s.origin).name: s for s in out.inputs}
    assert by_name["f.jsonl"].events == 2 and len(out.alerts) == 1
    assert by_name["a.evtx"].error or by_name["a.evtx"].corrupt
    assert by_name["b.json"].corrupt or by_name["b.json"].error
    assert by_name["c.log"].error == "unknown log format (use --input-format)"
    assert by_name["d.jsonl.gz"].error
    assert by_name["e.jsonl"].corrupt == 1
