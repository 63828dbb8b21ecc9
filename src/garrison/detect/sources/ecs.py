"""Elastic Common Schema JSON from Winlogbeat / Elastic Agent: ``winlog.*`` fields, rules mapped by the
``ecs-windows`` pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from garrison.detect.event import Event, flatten, parse_timestamp
from garrison.detect.logsources import windows_logsource
from garrison.detect.sources.base import SourceStats, iter_json_lines


def is_record(obj: dict[str, Any]) -> bool:
    w = obj.get("winlog")
    return isinstance(w, dict) or "winlog.channel" in obj or "winlog.event_id" in obj


def ecs_event(obj: dict[str, Any], origin: str, position: str) -> Event:
    fields = flatten(obj)
    channel = fields.get("winlog.channel")
    eid_raw = fields.get("winlog.event_id", fields.get("event.code"))
    try:
        eid = int(eid_raw) if eid_raw is not None and not isinstance(eid_raw, bool | list) else None
    except (TypeError, ValueError):
        eid = None
    et = fields.get("winlog.event_data.EventType")
    ls = windows_logsource(channel if isinstance(channel, str) else "", eid, et if isinstance(et, str) else "")
    ts = parse_timestamp(fields.get("@timestamp"))
    return Event(fields, origin=origin, position=position, family="ecs", logsource=ls, timestamp=ts, variant="ecs")


class EcsSource:
    name = "ecs"

    def records(self, stream: IO[bytes], origin: str, stats: SourceStats) -> Iterator[Event]:
        for lineno, obj in iter_json_lines(stream, stats):
            yield ecs_event(obj, origin, str(lineno))
