"""CSV, one row per alert (spreadsheet-friendly; formula-looking cells are neutralised)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence

from garrison.core.alert import Alert
from garrison.detect.output import OutputContext

COLUMNS = (
    "timestamp",
    "level",
    "rule_id",
    "rule_title",
    "kind",
    "host",
    "source",
    "position",
    "tactics",
    "techniques",
    "matched",
    "alert_id",
    "details",
)


def _cell(value: str) -> str:
    # CSV injection: a cell starting with = + - @ is a formula in spreadsheet programs
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write(alerts: Sequence[Alert], ctx: OutputContext) -> Iterator[bytes]:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for n, a in enumerate(alerts, 1):
        first = a.events[0] if a.events else None
        details: dict[str, object] = dict(a.group) if a.kind == "correlation" else {}
        if a.kind == "correlation":
            details["value"] = a.value
            details["events"] = len(a.events)
        elif first is not None:
            fields = {f for m in a.matched for f in m.fields}
            details = {k: first.fields.get(k) for k in sorted(fields) if k in first.fields}
        row = [
            a.timestamp or "",
            a.level,
            a.rule_id,
            a.rule_title,
            a.kind,
            a.host or "",
            a.source,
            first.position if first else "",
            " ".join(a.tactics),
            " ".join(a.techniques),
            " ".join(m.name for m in a.matched),
            a.id,
            json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
        ]
        w.writerow([_cell(str(x)) for x in row])
        if n % 1000 == 0:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")
