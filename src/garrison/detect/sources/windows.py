"""Windows event logs: EVTX files (decoded by the Rust ``evtx`` package) and the same records as JSON.

A record's ``System`` and ``EventData``/``UserData`` become one flat dict with Sigma's field names:
``EventID``, ``Channel``, ``Computer``, ``Provider_Name`` and every ``EventData`` item by its ``Name``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from garrison.detect.event import Event
from garrison.detect.logsources import windows_event_logsource
from garrison.detect.sources.base import SourceStats

#: consecutive undecodable EVTX records after which the rest of the file is given up (a chunk is corrupt)
MAX_CONSECUTIVE_ERRORS = 1000


def _text(v: Any) -> Any:
    if isinstance(v, dict):
        if "#text" in v:
            t = v["#text"]
            return t if not isinstance(t, list) else [x for x in t if not isinstance(x, dict)]
        return None
    return v


def flatten_windows(record: dict[str, Any]) -> dict[str, Any] | None:
    """``{"Event": {"System": ..., "EventData": ...}}`` (evtx/evtx_dump JSON) -> flat Sigma fields."""
    ev = record.get("Event", record)
    if not isinstance(ev, dict):
        return None
    system = ev.get("System")
    if not isinstance(system, dict):
        return None
    out: dict[str, Any] = {}
    for k, v in system.items():
        if k == "Provider" and isinstance(v, dict):
            attrs = v.get("#attributes") or {}
            if isinstance(attrs, dict):
                for ak, av in attrs.items():
                    out[f"Provider_{ak}"] = av
        elif k == "TimeCreated" and isinstance(v, dict):
            attrs = v.get("#attributes") or {}
            if isinstance(attrs, dict) and "SystemTime" in attrs:
                out["TimeCreated"] = attrs["SystemTime"]
        elif k in ("Execution", "Security", "Correlation") and isinstance(v, dict):
            attrs = v.get("#attributes") or {}
            if isinstance(attrs, dict):
                for ak, av in attrs.items():
                    out[f"{k}_{ak}"] = av
        elif isinstance(v, dict):
            t = _text(v)
            if t is not None:
                out[k] = t
        elif v is not None:
            out[k] = v
    data = ev.get("EventData")
    if isinstance(data, dict):
        for k, v in data.items():
            if k == "#attributes":
                continue
            val = _text(v) if isinstance(v, dict) else v
            if val is not None and not isinstance(val, dict):
                out.setdefault(k, val)
                if " " in k:  # Defender and others name items "Threat Name"; Sigma rules say ThreatName
                    out.setdefault(k.replace(" ", ""), val)
    elif isinstance(data, list | str):
        out.setdefault("Data", data)
    user = ev.get("UserData")
    if isinstance(user, dict):
        _leaves(user, out, 0)
    return out


def _leaves(obj: dict[str, Any], out: dict[str, Any], depth: int) -> None:
    for k, v in obj.items():
        if k == "#attributes":
            continue
        if isinstance(v, dict):
            if "#text" in v:
                out.setdefault(k, _text(v))
            elif depth < 8:
                _leaves(v, out, depth + 1)
        elif v is not None:
            out.setdefault(k, v)


def windows_event(fields: dict[str, Any], origin: str, position: str, family: str = "windows") -> Event:
    ls, variant = windows_event_logsource(fields)
    raw = fields.get("TimeCreated") or fields.get("UtcTime")
    return Event(fields, origin=origin, position=position, family=family, logsource=ls, ts_raw=raw, variant=variant)


class EvtxSource:
    name = "evtx"

    def records(self, stream: IO[bytes], origin: str, stats: SourceStats) -> Iterator[Event]:
        import evtx

        try:
            parser = evtx.PyEvtxParser(stream, number_of_threads=1)
            it = iter(parser.records_json())
        except (OSError, RuntimeError, ValueError) as exc:
            stats.error = f"not a readable EVTX file: {exc}"
            return
        errors = 0
        index = 0
        rec: Any
        while True:
            try:
                rec = next(it)
            except StopIteration:
                return
            except (OSError, RuntimeError, ValueError) as exc:
                index += 1
                stats.bad(f"record #{index}", f"undecodable EVTX record: {exc}")
                errors += 1
                if errors >= MAX_CONSECUTIVE_ERRORS:
                    stats.error = "too many consecutive undecodable records; rest of file skipped"
                    return
                continue
            index += 1
            errors = 0
            pos = str(rec.get("event_record_id", index))
            try:
                obj = json.loads(rec["data"])
            except (ValueError, KeyError, TypeError, RecursionError) as exc:
                stats.bad(pos, f"undecodable record JSON: {exc}")
                continue
            fields = flatten_windows(obj) if isinstance(obj, dict) else None
            if fields is None:
                stats.bad(pos, "record has no System section")
                continue
            yield windows_event(fields, origin, pos)


def windows_json_event(obj: dict[str, Any], origin: str, position: str) -> Event | None:
    """A JSON line that is a Windows event: evtx_dump style (nested ``Event``) or already flat."""
    if "Event" in obj or "System" in obj:
        fields = flatten_windows(obj)
        if fields is None:
            return None
        return windows_event(fields, origin, position)
    if "EventID" in obj or "Channel" in obj:
        return windows_event(obj, origin, position)  # already flat; the caller's fresh dict becomes the event's
    return None
