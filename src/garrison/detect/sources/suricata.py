"""Suricata EVE JSON (``eve.json``): alert, dns, http, tls, flow, ... one object per line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from garrison.detect.event import Event, LogSource, flatten, parse_timestamp
from garrison.detect.sources.base import SourceStats, iter_json_lines


def is_record(obj: dict[str, Any]) -> bool:
    return "event_type" in obj and ("flow_id" in obj or "src_ip" in obj or "timestamp" in obj)


def suricata_event(obj: dict[str, Any], origin: str, position: str) -> Event:
    et = obj.get("event_type")
    services = frozenset({str(et)}) if isinstance(et, str) else frozenset()
    cats = frozenset({"ids"}) if et == "alert" else frozenset()
    return Event(
        flatten(obj),
        origin=origin,
        position=position,
        family="suricata",
        logsource=LogSource("suricata", services, cats),
        timestamp=parse_timestamp(obj.get("timestamp")),
    )


class SuricataSource:
    name = "suricata"

    def records(self, stream: IO[bytes], origin: str, stats: SourceStats) -> Iterator[Event]:
        for lineno, obj in iter_json_lines(stream, stats):
            yield suricata_event(obj, origin, str(lineno))
