"""Each log source on real-shaped sample files: fields, log source, timestamps, corrupt records with positions."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from garrison.core.errors import InputError
from garrison.detect import sources as src
from garrison.detect.event import Event, LogSource
from garrison.detect.sources.base import SourceStats, iter_json_array


def read(path: Path, fmt: str | None = None) -> tuple[list[Event], SourceStats]:
    inp = src.LogInput(str(path), str(path))
    stream, head = src.open_input(inp)
    with stream:
        kind = fmt or src.detect(head, str(path))
        assert kind is not None
        stats = SourceStats(str(path), kind)
        return list(src.get_source(kind).records(stream, str(path), stats)), stats


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("audit.log", "auditd"),
        ("auth.log", "syslog"),
        ("access.log", "weblog"),
        ("cloudtrail.json", "cloudtrail"),
        ("cloudtrail.json.gz", "cloudtrail"),
        ("k8s-audit.jsonl", "k8s-audit"),
        ("dns.log", "zeek"),
        ("eve.json", "suricata"),
        ("winlogbeat.jsonl", "jsonl"),
    ],
)
def test_autodetection(logs_dir: Path, name: str, fmt: str) -> None:
    _stream, head = src.open_input(src.LogInput(str(logs_dir / name), name))
    assert src.detect(head, name) == fmt


def test_evtx_detected_by_magic(sigma_dir: Path) -> None:
    evtx = next((sigma_dir / "regression_data").rglob("*.evtx"))
    assert src.detect(evtx.read_bytes()[:4096], "x.bin") == "evtx"


def test_auditd_assembles_multi_record_events(logs_dir: Path) -> None:
    events, stats = read(logs_dir / "audit.log")
    assert [e.position for e in events] == ["1", "7", "8"]
    first = events[0]
    assert first.fields["type"] == ["SYSCALL", "EXECVE", "CWD", "PATH", "PROCTITLE"]
    assert first.fields["a0"] == ["55d1c0", "chattr"]  # SYSCALL's register and EXECVE's argv[0]
    assert first.fields["a1"] == ["55d1d0", "-i"]
    assert first.fields["proctitle"] == "chattr -i /etc/passwd"  # hex decoded, NULs as spaces
    assert first.fields["exe"] == "/usr/bin/chattr" and first.fields["key"] == "perm_mod"
    assert first.logsource == LogSource("linux", frozenset({"auditd"}))
    assert first.timestamp == pytest.approx(1700000000.101)
    login = events[1]
    assert login.fields["type"] == "USER_LOGIN" and login.fields["acct"] == "root" and login.fields["res"] == "failed"
    bash = events[2]  # interleaved garbage line does not split or drop the event
    assert bash.fields["a1"] == ["2", "-c echo hi"] and bash.fields["proctitle"] == "bash"
    assert stats.corrupt == 1 and stats.corrupt_samples[0][0] == "10"


def test_syslog_3164_and_5424(logs_dir: Path) -> None:
    events, stats = read(logs_dir / "auth.log")
    assert len(events) == 6 and stats.corrupt == 1 and stats.corrupt_samples[0][0] == "7"
    ssh = events[0]
    assert ssh.fields["app"] == "sshd" and ssh.fields["pid"] == "2231" and ssh.fields["host"] == "web01"
    assert "Failed password" in ssh.fields["message"]
    assert ssh.logsource.services == frozenset({"syslog", "sshd", "auth"})
    cron = events[3]
    assert cron.fields["facility"] == "authpriv" and cron.fields["severity"] == "info"
    r5424 = events[4]
    assert r5424.fields["msgid"] == "ID47" and r5424.fields["facility"] == "auth"
    assert r5424.timestamp == pytest.approx(1700475480.003)
    sd = events[5]
    assert sd.fields["structured_data"].startswith("[exampleSDID@32473") and sd.fields["message"].startswith(
        "An application"
    )
    assert sd.timestamp == pytest.approx(1700471940.52)


def test_weblog_combined(logs_dir: Path) -> None:
    events, stats = read(logs_dir / "access.log")
    assert len(events) == 4 and stats.corrupt == 1
    e = events[1]
    assert e.fields["cs-method"] == "GET" and e.fields["cs-uri-stem"] == "/cgi-bin/status"
    assert e.fields["cs-uri-query"] == "cmd=;cat%20/etc/passwd" and e.fields["sc-status"] == 404
    assert e.fields["cs-user-agent"] == "curl/8.4.0" and e.logsource.categories == frozenset({"webserver"})
    assert events[2].fields["cs-username"] == "frank" and events[2].fields["cs-referer"] == "https://example.org/"


@pytest.mark.parametrize("name", ["cloudtrail.json", "cloudtrail.json.gz"])
def test_cloudtrail_records_streamed(logs_dir: Path, name: str) -> None:
    events, stats = read(logs_dir / name)
    assert [e.fields["eventName"] for e in events] == ["StopLogging", "GetObject", "CreateAccessKey"]
    assert events[0].fields["userIdentity.userName"] == "mallory"
    assert events[0].fields["requestParameters.name"] == "management-trail"
    assert events[0].position == "Records[0]" and stats.corrupt == 0
    assert events[0].logsource == LogSource("aws", frozenset({"cloudtrail"}))


def test_k8s_zeek_suricata_ecs(logs_dir: Path) -> None:
    k8s, _ = read(logs_dir / "k8s-audit.jsonl")
    assert k8s[0].fields["objectRef.subresource"] == "exec" and k8s[0].logsource.product == "kubernetes"
    zeek, _ = read(logs_dir / "dns.log")
    assert zeek[0].logsource == LogSource("zeek", frozenset({"dns"})) and zeek[0].fields["answers"] == ["v=spf1 -all"]
    eve, _ = read(logs_dir / "eve.json")
    assert eve[0].fields["alert.signature_id"] == 2024897 and "alert" in eve[0].logsource.services
    ecs, _ = read(logs_dir / "winlogbeat.jsonl")
    assert ecs[0].variant == "ecs" and "process_creation" in ecs[0].logsource.categories
    assert ecs[0].fields["winlog.event_data.Image"].endswith("certutil.exe")


def test_windows_flattening_of_evtx_json(sigma_dir: Path) -> None:
    from garrison.detect.sources.jsonl import json_event

    path = next((sigma_dir / "regression_data").rglob("*.json"))
    ev = json_event(json.loads(path.read_text("utf-8")), str(path), "1")
    assert isinstance(ev.fields["EventID"], int) and ev.fields["Channel"]
    assert ev.logsource.product == "windows" and ev.fields["Provider_Name"]


def test_json_array_streaming_with_bad_elements() -> None:
    data = b'[{"a": 1}, {"b": [1, {"c": "]"}]}, 42, {"broken": tru}, {"d": "x\\"y"}]'
    stats = SourceStats("mem")
    got = list(iter_json_array(io.BytesIO(data), stats))
    assert [o for _i, o in got] == [{"a": 1}, {"b": [1, {"c": "]"}]}, {"d": 'x"y'}]
    assert stats.corrupt == 2


def test_truncated_json_array_is_recorded() -> None:
    stats = SourceStats("mem")
    got = list(iter_json_array(io.BytesIO(b'{"Records": [{"a": 1}, {"b": '), stats, key="Records"))
    assert got == [(1, {"a": 1})] and stats.corrupt == 1 and "truncated" in stats.corrupt_samples[0][1]


def test_overlong_line_is_counted_and_skipped(tmp_path: Path) -> None:
    from garrison.detect.sources import base

    p = tmp_path / "big.jsonl"
    p.write_bytes(b'{"a": "' + b"x" * (base.MAX_LINE + 10) + b'"}\n{"ok": 1}\n')
    events, stats = read(p, "jsonl")
    assert [e.fields for e in events] == [{"ok": 1}] and stats.corrupt == 1 and events[0].position == "2"


def test_expand_dirs_globs_and_errors(logs_dir: Path, tmp_path: Path) -> None:
    got = src.expand([str(logs_dir)])
    assert {Path(i.path).name for i in got} >= {"audit.log", "cloudtrail.json.gz", "eve.json"}
    assert [Path(i.path).name for i in src.expand([str(logs_dir / "*.jsonl")])] == [
        "k8s-audit.jsonl",
        "winlogbeat.jsonl",
    ]
    with pytest.raises(InputError, match="log file not found"):
        src.expand([str(tmp_path / "missing.log")])
    with pytest.raises(InputError, match="no file matches"):
        src.expand([str(tmp_path / "*.nothing")])


def test_gzip_of_any_text_format(tmp_path: Path, logs_dir: Path) -> None:
    p = tmp_path / "auth.log.gz"
    p.write_bytes(gzip.compress((logs_dir / "auth.log").read_bytes()))
    events, stats = read(p)
    assert len(events) == 6 and stats.corrupt == 1
