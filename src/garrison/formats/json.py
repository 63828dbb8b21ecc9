"""``--format json``: the versioned Report document (docs/report-schema.json)."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from garrison.core.report import Report
from garrison.core.serialize import report_to_dict
from garrison.formats.base import WriteOptions
from garrison.formats.jsonbytes import dumps_pretty

if TYPE_CHECKING:
    from garrison.policy.gate import Decision


class JsonWriter:
    name = "json"
    extension = "json"

    def write(self, report: Report, decision: Decision | None, options: WriteOptions) -> bytes:
        was_enabled = gc.isenabled()
        gc.disable()  # see dumps_pretty: building the dict allocates as much as encoding it
        try:
            return dumps_pretty(report_to_dict(report, decision, timings=options.timings))
        finally:
            if was_enabled:
                gc.enable()
