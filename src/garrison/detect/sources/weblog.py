"""Web server access logs in the Common and Combined Log Formats (Apache, nginx, and most proxies).

Fields use the W3C names Sigma's ``webserver`` rules use: ``c-ip``, ``cs-username``, ``cs-method``,
``cs-uri-stem``, ``cs-uri-query``, ``cs-uri`` (both), ``cs-version``, ``sc-status``, ``sc-bytes``, ``cs-referer``,
``cs-user-agent``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from garrison.detect.event import Event, LogSource
from garrison.detect.sources.base import SourceStats, iter_lines

LINE = re.compile(
    r'^(?P<ip>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<ts>[^\]]{1,64})\] "(?P<req>(?:[^"\\]|\\.)*)" '
    r'(?P<status>\d{3}|-) (?P<bytes>\d+|-)(?: "(?P<ref>(?:[^"\\]|\\.)*)" "(?P<ua>(?:[^"\\]|\\.)*)")?'
)
LOGSOURCE = LogSource(None, frozenset(), frozenset({"webserver"}))


def parse_line(line: str) -> tuple[dict[str, Any], float | None] | None:
    m = LINE.match(line)
    if not m:
        return None
    f: dict[str, Any] = {"c-ip": m.group("ip")}
    if m.group("user") != "-":
        f["cs-username"] = m.group("user")
    req = m.group("req")
    parts = req.split(" ")
    if len(parts) >= 2:
        f["cs-method"] = parts[0]
        uri = " ".join(parts[1:-1]) if len(parts) >= 3 else parts[1]
        if len(parts) >= 3:
            f["cs-version"] = parts[-1]
        stem, sep, query = uri.partition("?")
        f["cs-uri-stem"] = stem
        if sep:
            f["cs-uri-query"] = query
        f["cs-uri"] = uri
    else:
        f["cs-uri"] = req
    if m.group("status") != "-":
        f["sc-status"] = int(m.group("status"))
    if m.group("bytes") != "-":
        f["sc-bytes"] = int(m.group("bytes"))
    if m.group("ref") is not None and m.group("ref") != "-":
        f["cs-referer"] = m.group("ref")
    if m.group("ua") is not None and m.group("ua") != "-":
        f["cs-user-agent"] = m.group("ua")
    try:
        ts: float | None = datetime.strptime(m.group("ts"), "%d/%b/%Y:%H:%M:%S %z").timestamp()
    except ValueError:
        ts = None
    return f, ts


class WebAccessSource:
    name = "weblog"

    def records(self, stream: IO[bytes], origin: str, stats: SourceStats) -> Iterator[Event]:
        for lineno, text in iter_lines(stream, stats):
            if not text.strip():
                continue
            parsed = parse_line(text)
            if parsed is None:
                stats.bad(lineno, "not a Common/Combined Log Format line")
                continue
            fields, ts = parsed
            yield Event(fields, origin=origin, position=str(lineno), family="weblog", logsource=LOGSOURCE, timestamp=ts)
