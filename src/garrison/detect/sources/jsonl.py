"""JSON lines (and top-level JSON arrays) whose records may be of any JSON family.

Each record is recognised by its shape — Windows (evtx_dump nested or flat ``EventID``/``Channel``), ECS /
Winlogbeat, CloudTrail, Kubernetes audit, Zeek, Suricata — and handed to that family's builder; anything else
is a generic event (flattened, log source unknown: only rules without a log source apply).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from garrison.detect.event import UNKNOWN_SOURCE, Event, flatten, parse_timestamp
from garrison.detect.sources import cloudtrail, ecs, k8s, suricata, zeek
from garrison.detect.sources.base import SourceStats, iter_json_array, iter_json_lines
from garrison.detect.sources.windows import windows_json_event

_TS_KEYS = ("@timestamp", "timestamp", "time", "ts", "eventTime", "TimeCreated", "UtcTime")


def classify(obj: dict[str, Any]) -> str:
    if ("Event" in obj and isinstance(obj["Event"], dict)) or ("EventID" in obj and "Channel" in obj):
        return "windows"
    if ecs.is_record(obj):
        return "ecs"
    if cloudtrail.is_record(obj):
        return "cloudtrail"
    if k8s.is_record(obj):
        return "k8s"
    if suricata.is_record(obj):
        return "suricata"
    if zeek.is_record(obj):
        return "zeek"
    return "json"


def json_event(obj: dict[str, Any], origin: str, position: str, zeek_default: str = "") -> Event:
    kind = classify(obj)
    if kind == "windows":
        ev = windows_json_event(obj, origin, position)
        if ev is not None:
            return ev
    elif kind == "ecs":
        return ecs.ecs_event(obj, origin, position)
    elif kind == "cloudtrail":
        return cloudtrail.cloudtrail_event(obj, origin, position)
    elif kind == "k8s":
        return k8s.k8s_event(obj, origin, position)
    elif kind == "suricata":
        return suricata.suricata_event(obj, origin, position)
    elif kind == "zeek":
        return zeek.zeek_event(obj, origin, position, zeek_default)
    ts = None
    for k in _TS_KEYS:
        if k in obj:
            ts = parse_timestamp(obj[k])
            if ts is not None:
                break
    return Event(flatten(obj), origin=origin, position=position, family="json", logsource=UNKNOWN_SOURCE, timestamp=ts)


class JsonLinesSource:
    name = "jsonl"

    def records(self, stream: IO[bytes], origin: str, stats: SourceStats) -> Iterator[Event]:
        zd = zeek.log_name(origin)
        for lineno, obj in iter_json_lines(stream, stats):
            yield json_event(obj, origin, str(lineno), zd)


class JsonArraySource:
    name = "json"

    def records(self, stream: IO[bytes], origin: str, stats: SourceStats) -> Iterator[Event]:
        zd = zeek.log_name(origin)
        for index, obj in iter_json_array(stream, stats):
            yield json_event(obj, origin, f"[{index - 1}]", zd)
