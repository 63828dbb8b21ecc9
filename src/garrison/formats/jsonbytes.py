"""Fast, deterministic JSON encoding for writers (orjson; key order as built, 2-space indent, UTF-8)."""

from __future__ import annotations

import gc
from typing import Any

import orjson


def dumps_pretty(doc: Any) -> bytes:
    """``doc`` as indented UTF-8 JSON with a trailing newline.

    Writers build documents of millions of short-lived objects; the cycle collector is paused meanwhile (it
    grew faster than the report and brought nothing back).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    finally:
        if was_enabled:
            gc.enable()
