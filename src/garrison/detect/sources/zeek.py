"""Zeek logs written as JSON (``LogAscii::use_json=T``): conn, dns, http, smb_files, ... one object per line.

Zeek JSON has no log name inside the record; it comes from ``_path`` (when the writer adds it) or the file name
(``dns.log``, ``http.2024-01-01.log.gz``) and becomes the Sigma service.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO, Any

from garrison.detect.event import Event, LogSource, flatten, parse_timestamp
from garrison.detect.sources.base import SourceStats, iter_json_lines


def is_record(obj: dict[str, Any]) -> bool:
    return ("uid" in obj and "id.orig_h" in obj) or ("_path" in obj and "ts" in obj)


def log_name(origin: str) -> str:
    base = os.path.basename(origin).split(".", 1)[0]
    return base.lower()


def zeek_event(obj: dict[str, Any], origin: str, position: str, default_path: str = "") -> Event:
    path = obj.get("_path")
    service = path if isinstance(path, str) and path else default_path
    ls = LogSource("zeek", frozenset({service}) if service else frozenset())
    return Event(
        flatten(obj),
        origin=origin,
        position=position,
        family="zeek",
        logsource=ls,
        timestamp=parse_timestamp(obj.get("ts")),
    )


class ZeekSource:
    name = "zeek"

    def records(self, stream: IO[bytes], origin: str, stats: SourceStats) -> Iterator[Event]:
        default = log_name(origin)
        for lineno, obj in iter_json_lines(stream, stats):
            yield zeek_event(obj, origin, str(lineno), default)
