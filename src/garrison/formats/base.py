"""The writer interface and the registry of formats (built-ins + the ``garrison.formats`` entry-point group)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Protocol

from garrison.core.errors import UsageError
from garrison.core.report import Report

if TYPE_CHECKING:
    from garrison.policy.gate import Decision


@dataclass(frozen=True, slots=True)
class WriteOptions:
    color: bool = False
    timings: bool = False
    #: the table writer prints at most this many findings per severity group (0 = all)
    limit: int = 0


class Writer(Protocol):
    name: str
    extension: str

    def write(self, report: Report, decision: Decision | None, options: WriteOptions) -> bytes: ...


BUILTIN: dict[str, str] = {
    "table": "garrison.formats.table:TableWriter",
    "json": "garrison.formats.json:JsonWriter",
    "sarif": "garrison.formats.sarif:SarifWriter",
    "junit": "garrison.formats.junit:JunitWriter",
    "markdown": "garrison.formats.markdown:MarkdownWriter",
    "html": "garrison.formats.html:HtmlWriter",
    "cyclonedx": "garrison.formats.cyclonedx:CycloneDxWriter",
    "spdx": "garrison.formats.spdx:SpdxWriter",
}

GROUP = "garrison.formats"


@cache
def _plugins() -> dict[str, str]:
    return {ep.name: ep.value for ep in entry_points(group=GROUP) if ep.name not in BUILTIN}


def available() -> list[str]:
    return sorted({*BUILTIN, *_plugins()})


def get_writer(name: str) -> Writer:
    target = BUILTIN.get(name) or _plugins().get(name)
    if target is None:
        raise UsageError(f"unknown format {name!r} (available: {', '.join(available())})")
    module, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(module), attr)
    writer: Writer = cls()
    return writer
