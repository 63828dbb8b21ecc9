"""Field mappings as pySigma pipelines: Security 4688 and ECS events meet Sigma-taxonomy rules; users add their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from garrison.core.errors import ConfigError
from garrison.detect import pipelines as pl
from garrison.detect.detector import Detector
from garrison.detect.sources.ecs import ecs_event
from garrison.detect.sources.windows import windows_event

from ..helpers import ruleset

PROC_RULE = """\
title: certutil download
id: 1a2b3c4d-0000-4000-8000-000000000001
level: high
logsource:
    product: windows
    category: process_creation
detection:
    sel:
        Image|endswith: '\\\\certutil.exe'
        CommandLine|contains: 'urlcache'
    parent:
        ParentImage|endswith: '\\\\cmd.exe'
    condition: sel and parent
"""


def test_security_4688_meets_process_creation_rules_through_windows_audit() -> None:
    det = Detector(ruleset(PROC_RULE))
    ev = windows_event(
        {
            "EventID": 4688,
            "Channel": "Security",
            "NewProcessName": "C:\\Windows\\System32\\certutil.exe",
            "ParentProcessName": "C:\\Windows\\System32\\cmd.exe",
            "CommandLine": "certutil -urlcache -f http://x/a a",
        },
        "sec.evtx",
        "1",
    )
    assert ev.variant == "windows-security" and "process_creation" in ev.logsource.categories
    assert [c.index for c in det.match(ev)] == [0]
    # the same rule on a Sysmon event uses the taxonomy names unchanged
    sysmon = windows_event(
        {
            "EventID": 1,
            "Channel": "Microsoft-Windows-Sysmon/Operational",
            "Image": "C:\\Windows\\System32\\certutil.exe",
            "ParentImage": "C:\\Windows\\System32\\cmd.exe",
            "CommandLine": "certutil -urlcache -f http://x/a a",
        },
        "sysmon.evtx",
        "1",
    )
    assert [c.index for c in det.match(sysmon)] == [0]


def test_ecs_events_meet_taxonomy_rules_through_ecs_windows() -> None:
    det = Detector(ruleset(PROC_RULE))
    ev = ecs_event(
        {
            "winlog": {
                "channel": "Microsoft-Windows-Sysmon/Operational",
                "event_id": 1,
                "event_data": {"ParentImage": "C:\\Windows\\System32\\cmd.exe"},
            },
            "process": {"executable": "C:\\Windows\\System32\\certutil.exe", "command_line": "certutil -urlcache x"},
        },
        "beat.jsonl",
        "1",
    )
    assert ev.variant == "ecs"
    assert [c.index for c in det.match(ev)] == [0]


def test_user_pipeline_maps_site_field_names(tmp_path: Path) -> None:
    pipe = tmp_path / "site.yml"
    pipe.write_text(
        "name: site names\ntransformations:\n  - type: field_name_mapping\n    mapping:\n"
        "      CommandLine: cmdline\n      Image: exe\n      ParentImage: parent_exe\n"
    )
    det = Detector(ruleset(PROC_RULE), (pl.resolve(str(pipe)),))
    ev = windows_event(
        {"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "exe": "c:\\certutil.exe",
         "parent_exe": "c:\\cmd.exe", "cmdline": "certutil -urlcache"},
        "x", "1",
    )  # fmt: skip
    assert [c.index for c in det.match(ev)] == [0]


@pytest.mark.parametrize("kind", ["command_placeholders", "file_placeholders", "http_placeholders"])
def test_pipelines_cannot_reach_outside(tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYSIGMA_ALLOW_EXTERNAL_SOURCES", "1")  # even when pySigma itself would allow it
    marker = tmp_path / "pwned"
    pipe = tmp_path / "evil.yml"
    pipe.write_text(
        f"name: evil\ntransformations:\n  - type: nest\n    items:\n      - type: {kind}\n"
        f"        cmd: ['touch', '{marker}']\n        path: /etc/passwd\n        url: http://127.0.0.1:9/x\n"
    )
    with pytest.raises(ConfigError, match="reads outside data"):
        pl.resolve(str(pipe))
    assert not marker.exists()


def test_builtin_pipelines_are_valid_pysigma_yaml() -> None:
    for name in pl.available():
        assert pl.build([pl.resolve(name)]).items
