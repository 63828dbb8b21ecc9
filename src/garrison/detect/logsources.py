"""Which Sigma log source an event is: Windows channel + event id -> service and categories, and the fixed
log sources of the other families. These are the facts the Sigma taxonomy defines (Sysmon event ids per
category, the Windows channel of each service); the router matches rules' ``logsource`` against them."""

from __future__ import annotations

from functools import cache
from typing import Any

from garrison.detect.event import LogSource

#: Sysmon event id -> Sigma categories (registry_add/delete are refined by EventType below)
SYSMON_CATEGORIES: dict[int, tuple[str, ...]] = {
    1: ("process_creation",),
    2: ("file_change",),
    3: ("network_connection",),
    4: ("sysmon_status",),
    5: ("process_termination",),
    6: ("driver_load",),
    7: ("image_load",),
    8: ("create_remote_thread",),
    9: ("raw_access_thread",),
    10: ("process_access",),
    11: ("file_event",),
    12: ("registry_event",),
    13: ("registry_event", "registry_set"),
    14: ("registry_event", "registry_rename"),
    15: ("create_stream_hash",),
    16: ("sysmon_status",),
    17: ("pipe_created",),
    18: ("pipe_created",),
    19: ("wmi_event",),
    20: ("wmi_event",),
    21: ("wmi_event",),
    22: ("dns_query",),
    23: ("file_delete",),
    24: ("clipboard_capture",),
    25: ("process_tampering",),
    26: ("file_delete_detected",),
    27: ("file_block_executable",),
    28: ("file_block_shredding",),
    29: ("file_executable_detected",),
    255: ("sysmon_error",),
}

#: (channel, event id) -> categories for non-Sysmon channels
CHANNEL_EVENT_CATEGORIES: dict[tuple[str, int], tuple[str, ...]] = {
    ("Security", 4688): ("process_creation",),
    ("Security", 4657): ("registry_event",),
    ("Microsoft-Windows-PowerShell/Operational", 4103): ("ps_module",),
    ("Microsoft-Windows-PowerShell/Operational", 4104): ("ps_script",),
    ("PowerShellCore/Operational", 4103): ("ps_module",),
    ("PowerShellCore/Operational", 4104): ("ps_script",),
    ("Windows PowerShell", 400): ("ps_classic_start",),
    ("Windows PowerShell", 600): ("ps_classic_provider_start",),
    ("Windows PowerShell", 800): ("ps_classic_script",),
}

SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational"


@cache
def channel_services() -> dict[str, frozenset[str]]:
    """Windows channel (lowered) -> Sigma services, from pySigma's own service/channel table."""
    from sigma.pipelines.common import windows_logsource_mapping

    out: dict[str, set[str]] = {}
    for service, channels in windows_logsource_mapping.items():
        for ch in [channels] if isinstance(channels, str) else channels:
            out.setdefault(ch.lower(), set()).add(service)
    return {k: frozenset(v) for k, v in out.items()}


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, dict):  # evtx_dump style {"#text": 4688, "#attributes": {...}}
        return _int(value.get("#text"))
    return None


@cache
def windows_logsource(channel: str, event_id: int | None, registry_event_type: str = "") -> LogSource:
    services = channel_services().get(channel.lower(), frozenset())
    cats: tuple[str, ...] = ()
    if channel.lower() == SYSMON_CHANNEL.lower() and event_id is not None:
        cats = SYSMON_CATEGORIES.get(event_id, ())
        if event_id == 12:
            et = registry_event_type.lower()
            if et == "createkey":
                cats = (*cats, "registry_add")
            elif et in ("deletekey", "deletevalue"):
                cats = (*cats, "registry_delete")
    elif event_id is not None:
        for (ch, eid), c in CHANNEL_EVENT_CATEGORIES.items():
            if eid == event_id and ch.lower() == channel.lower():
                cats = c
                break
        if channel.lower() == "security" and event_id == 4657:
            cats = ("registry_event", "registry_set", "registry_add")
    return LogSource("windows", services, frozenset(cats))


_EVENT_MEMO: dict[tuple[Any, Any, Any], tuple[LogSource, str]] = {}


def windows_event_logsource(fields: dict[str, Any]) -> tuple[LogSource, str]:
    """Log source and pipeline variant of a flat Windows event (Channel, EventID, ...)."""
    raw = (fields.get("Channel"), fields.get("EventID"), fields.get("EventType"))
    try:
        got = _EVENT_MEMO.get(raw)
    except TypeError:  # an unhashable value (a list or an object where a string belongs)
        got = None
        raw = None  # type: ignore[assignment]
    if got is not None:
        return got
    channel = raw[0] if raw is not None and isinstance(raw[0], str) else ""
    eid = _int(fields.get("EventID"))
    et = fields.get("EventType")
    ls = windows_logsource(channel, eid, et if isinstance(et, str) else "")
    got = (ls, "windows-security" if channel.lower() == "security" else "windows")
    if raw is not None and len(_EVENT_MEMO) < 10_000:
        _EVENT_MEMO[raw] = got
    return got


def fixed(product: str | None, services: tuple[str, ...] = (), categories: tuple[str, ...] = ()) -> LogSource:
    return LogSource(product, frozenset(services), frozenset(categories))
