"""Syslog files: RFC 5424 and RFC 3164 (BSD) lines, with or without the ``<PRI>`` prefix.

Fields: ``facility``, ``severity``, ``host``, ``app`` (also ``program``), ``pid``, ``msgid``, ``message``.
The Sigma services of a line are ``syslog`` plus the program name (``sshd``, ``sudo``, ``cron``, ...) and
``auth`` for the auth/authpriv facilities or well-known authentication programs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

from garrison.detect.event import Event, LogSource, parse_timestamp
from garrison.detect.sources.base import SourceStats, iter_lines

FACILITIES = [
    "kern",
    "user",
    "mail",
    "daemon",
    "auth",
    "syslog",
    "lpr",
    "news",
    "uucp",
    "cron",
    "authpriv",
    "ftp",
    "ntp",
    "security",
    "console",
    "solaris-cron",
    "local0",
    "local1",
    "local2",
    "local3",
    "local4",
    "local5",
    "local6",
    "local7",
]
SEVERITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]
AUTH_PROGRAMS = frozenset(
    {
        "sshd",
        "sudo",
        "su",
        "login",
        "passwd",
        "useradd",
        "userdel",
        "groupadd",
        "usermod",
        "systemd-logind",
        "polkitd",
        "pam",
    }
)

RFC5424 = re.compile(
    r"^<(?P<pri>\d{1,3})>(?P<ver>\d{1,2}) (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) (?P<pid>\S+) (?P<msgid>\S+) "
    r"(?P<sd>-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: (?P<msg>.*))?$",
    re.DOTALL,
)
RFC3164 = re.compile(
    r"^(?:<(?P<pri>\d{1,3})>)?(?P<ts>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\S+) (?P<host>\S+) "
    r"(?P<tag>[^:\[\s]{1,64})(?:\[(?P<pid>[^\]]{0,32})\])?: ?(?P<msg>.*)$",
    re.DOTALL,
)
_MONTHS = {
    m: i for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)
}


def _pri(fields: dict[str, Any], pri: str | None) -> str:
    if pri is None:
        return ""
    p = int(pri)
    if p > 191:
        return ""
    fac = FACILITIES[p >> 3] if (p >> 3) < len(FACILITIES) else ""
    fields["facility"] = fac
    fields["severity"] = SEVERITIES[p & 7]
    return fac


def _bsd_time(ts: str, year: int) -> float | None:
    if ts[:1].isdigit():
        return parse_timestamp(ts)
    try:
        month = _MONTHS[ts[:3]]
        day = int(ts[4:6])
        hh, mm, ss = (int(x) for x in ts[7:15].split(":"))
        return datetime(year, month, day, hh, mm, ss, tzinfo=UTC).timestamp()
    except (KeyError, ValueError):
        return None


def parse_line(line: str, year: int) -> tuple[dict[str, Any], float | None] | None:
    m = RFC5424.match(line)
    if m:
        fields: dict[str, Any] = {}
        _pri(fields, m.group("pri"))
        for k in ("host", "app", "pid", "msgid"):
            v = m.group(k)
            if v != "-":
                fields[k] = v
        if "app" in fields:
            fields["program"] = fields["app"]
        if m.group("sd") != "-":
            fields["structured_data"] = m.group("sd")
        msg = m.group("msg") or ""
        fields["message"] = msg[1:] if msg.startswith("\ufeff") else msg
        ts = m.group("ts")
        return fields, parse_timestamp(ts) if ts != "-" else None
    m = RFC3164.match(line)
    if m:
        fields = {}
        _pri(fields, m.group("pri"))
        fields["host"] = m.group("host")
        fields["app"] = fields["program"] = m.group("tag")
        if m.group("pid"):
            fields["pid"] = m.group("pid")
        fields["message"] = m.group("msg")
        return fields, _bsd_time(m.group("ts"), year)
    return None


def logsource_for(fields: dict[str, Any]) -> LogSource:
    services = {"syslog"}
    app = str(fields.get("app", "")).lower()
    if app:
        services.add(app)
    if fields.get("facility") in ("auth", "authpriv") or app in AUTH_PROGRAMS:
        services.add("auth")
    return LogSource("linux", frozenset(services))


class SyslogSource:
    name = "syslog"

    def __init__(self, year: int | None = None) -> None:
        self.year = year or datetime.now(UTC).year

    def records(self, stream: IO[bytes], origin: str, stats: SourceStats) -> Iterator[Event]:
        for lineno, text in iter_lines(stream, stats):
            if not text.strip():
                continue
            parsed = parse_line(text, self.year)
            if parsed is None:
                stats.bad(lineno, "not a syslog line (RFC 5424 or RFC 3164)")
                continue
            fields, ts = parsed
            yield Event(
                fields,
                origin=origin,
                position=str(lineno),
                family="syslog",
                logsource=logsource_for(fields),
                timestamp=ts,
            )
