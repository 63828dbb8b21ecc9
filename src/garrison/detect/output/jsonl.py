"""One JSON object per alert per line (orjson, keys sorted), streamed."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

import orjson

from garrison.core.alert import Alert, alert_to_dict
from garrison.detect.output import OutputContext

BATCH = 1000


def _line(a: Alert) -> bytes:
    doc = alert_to_dict(a)
    try:
        return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS) + b"\n"
    except TypeError:  # values orjson will not write (integers beyond 64 bits): the standard library can
        return (json.dumps(doc, ensure_ascii=False, sort_keys=True, default=str) + "\n").encode("utf-8")


def write(alerts: Sequence[Alert], ctx: OutputContext) -> Iterator[bytes]:
    for i in range(0, len(alerts), BATCH):
        yield b"".join(_line(a) for a in alerts[i : i + BATCH])
