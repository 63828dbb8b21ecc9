"""Linux audit logs (``/var/log/audit/audit.log``): ``type=... msg=audit(TIME:SERIAL): key=value ...`` records.

One kernel event is several records (SYSCALL, EXECVE, CWD, PATH, PROCTITLE, ...) sharing the serial; they are
assembled into one event (``type`` becomes the list of record types, a repeated key becomes a list). An event
is emitted at its EOE record, or when it is the oldest of too many open events, or at the end of the file.
Hex-encoded strings (EXECVE arguments, proctitle, paths) are decoded.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator
from typing import IO, Any

from garrison.detect.event import Event
from garrison.detect.logsources import fixed
from garrison.detect.sources.base import SourceStats, iter_lines

LOGSOURCE = fixed("linux", ("auditd",))
HEADER = re.compile(
    r"^(?:node=(?P<node>\S+) )?type=(?P<type>[A-Z0-9_]+) "
    r"msg=audit\((?P<ts>\d+(?:\.\d+)?):(?P<serial>\d+)\):\s?(?P<body>.*)$"
)
KV = re.compile(r"""([A-Za-z0-9_-]+)=("(?:[^"]*)"|'(?:[^']*)'|\S*)""")
HEX = re.compile(r"^(?:[0-9A-F]{2})+$")
#: keys whose unquoted value is a hex-encoded string
HEX_KEYS = frozenset({"proctitle", "name", "exe", "comm", "cwd", "cmd", "data", "path", "old-path", "new-path"})
#: open (not yet finished) events kept while records of other events interleave
MAX_OPEN = 64


def _decode(key: str, value: str, rtype: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    is_arg = rtype == "EXECVE" and re.fullmatch(r"a\d+(?:\[\d+\])?", key) is not None
    if (is_arg or key in HEX_KEYS) and HEX.match(value):
        raw = bytes.fromhex(value)
        return raw.replace(b"\x00", b" ").decode("utf-8", "replace").strip()
    return value


def parse_record(line: str) -> tuple[str, str, float, dict[str, str]] | None:
    """(serial, type, timestamp, fields) of one record line, or None when it is not an audit record."""
    line = line.split("\x1d", 1)[0]  # ENRICHED format: interpreted fields follow a group separator
    m = HEADER.match(line)
    if not m:
        return None
    rtype = m.group("type")
    fields: dict[str, str] = {}
    for key, value in KV.findall(m.group("body")):
        if key == "msg" and value.startswith("'"):
            inner = value[1:-1]
            for k2, v2 in KV.findall(inner):
                fields.setdefault(k2, _decode(k2, v2, rtype))
            continue
        fields.setdefault(key, _decode(key, value, rtype))
    if m.group("node"):
        fields["node"] = m.group("node")
    return m.group("serial"), rtype, float(m.group("ts")), fields


class _Open:
    __slots__ = ("fields", "line", "ts", "types")

    def __init__(self, line: int, ts: float) -> None:
        self.line = line
        self.ts = ts
        self.types: list[str] = []
        self.fields: dict[str, Any] = {}

    def add(self, rtype: str, fields: dict[str, str]) -> None:
        self.types.append(rtype)
        for k, v in fields.items():
            prev = self.fields.get(k)
            if prev is None:
                self.fields[k] = v
            elif isinstance(prev, list):
                prev.append(v)
            elif prev != v:
                self.fields[k] = [prev, v]


class AuditdSource:
    name = "auditd"

    def records(self, stream: IO[bytes], origin: str, stats: SourceStats) -> Iterator[Event]:
        pending: OrderedDict[str, _Open] = OrderedDict()
        for lineno, text in iter_lines(stream, stats):
            if not text.strip():
                continue
            rec = parse_record(text)
            if rec is None:
                stats.bad(lineno, "not an audit record (type=... msg=audit(...))")
                continue
            serial, rtype, ts, fields = rec
            key = f"{ts:.3f}:{serial}"
            if rtype == "EOE":
                done = pending.pop(key, None)
                if done is not None:
                    yield self._event(done, origin)
                continue
            cur = pending.get(key)
            if cur is None:
                cur = pending[key] = _Open(lineno, ts)
                while len(pending) > MAX_OPEN:
                    _, oldest = pending.popitem(last=False)
                    yield self._event(oldest, origin)
            cur.add(rtype, fields)
        while pending:
            _, oldest = pending.popitem(last=False)
            yield self._event(oldest, origin)

    @staticmethod
    def _event(o: _Open, origin: str) -> Event:
        fields = dict(o.fields)
        fields["type"] = o.types[0] if len(o.types) == 1 else list(o.types)
        return Event(fields, origin=origin, position=str(o.line), family="auditd", logsource=LOGSOURCE, timestamp=o.ts)
