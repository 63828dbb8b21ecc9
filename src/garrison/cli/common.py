"""Options and output helpers shared by commands that scan (scan, baseline create, …)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SCAN_EXAMPLES = """\
examples:
  garrison scan .
  garrison scan src/ --fail-on critical
  garrison scan . --condition 'finding.severity >= "medium" && finding.fix.available'
  garrison scan . --format sarif --output garrison.sarif --format junit --output junit.xml
  garrison scan . --format html=report.html --format markdown=pr-comment.md
  garrison scan . --analyzer files --skip-analyzer deps
  garrison scan . --staged --analyzer secrets                  (pre-commit: staged changes only)
  garrison scan . --git-history --since v1.2.0 --format json   (added lines of every commit since v1.2.0)
"""

EXTENSION_FORMATS = {
    ".json": "json",
    ".sarif": "sarif",
    ".xml": "junit",
    ".md": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "table",
    ".cdx": "cyclonedx",
    ".spdx": "spdx",
}


class FormatAction(argparse.Action):
    """``--format NAME[=FILE]`` (repeatable); a following ``--output FILE`` binds to the last format."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace, values: Any, opt: Any = None) -> None:
        outputs: list[list[str | None]] = getattr(ns, "outputs", None) or []
        name, _, path = str(values).partition("=")
        outputs.append([name.strip(), path or None])
        ns.outputs = outputs


class OutputAction(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace, values: Any, opt: Any = None) -> None:
        outputs: list[list[str | None]] = getattr(ns, "outputs", None) or []
        if outputs and outputs[-1][1] is None:
            outputs[-1][1] = str(values)
        else:
            ext = os.path.splitext(str(values))[1].lower()
            fmt = EXTENSION_FORMATS.get(ext)
            if fmt is None:
                parser.error(f"--output {values}: give --format before it (cannot tell the format from '{ext}')")
            outputs.append([fmt, str(values)])
        ns.outputs = outputs


def add_scan_options(p: argparse.ArgumentParser, *, with_gate: bool = True) -> None:
    p.add_argument("path", nargs="?", default=".", help="directory or file to scan (default: .)")
    p.add_argument("-c", "--config", type=Path, help="config file (default: PATH/garrison.toml if present)")
    p.add_argument(
        "-a", "--analyzer", action="append", default=[], metavar="ID", help="run only this analyzer (repeatable)"
    )
    p.add_argument(
        "--skip-analyzer", action="append", default=[], metavar="ID", dest="skip", help="do not run this analyzer"
    )
    p.add_argument(
        "-j", "--jobs", type=int, metavar="N", help="worker processes for per-file analyzers (0 = one per CPU)"
    )
    p.add_argument("--show-secrets", action="store_true", help="print secrets unredacted (off by default)")
    p.add_argument("--db", metavar="PATH", help="advisory database for the deps analyzer (see 'garrison db')")
    p.add_argument("--no-progress", action="store_true", help="no progress line on stderr")
    if with_gate:
        p.add_argument("--keep-going", action="store_true", help="an analyzer failure does not force exit code 3")


def progress_printer(enabled: bool) -> Any:
    if not enabled or not sys.stderr.isatty():
        return None
    state = {"last": 0.0}

    def show(done: int, total: int) -> None:
        now = time.monotonic()
        if done != total and now - state["last"] < 0.1:
            return
        state["last"] = now
        end = "\n" if done == total and total else ""
        sys.stderr.write(f"\r\x1b[Kgarrison: analyzing {done}/{total} files{end}")
        sys.stderr.flush()

    return show


def write_output(path: str | None, data: bytes) -> None:
    from garrison.core.errors import InputError

    if path is None or path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = Path(path)
    try:
        if target.parent and not target.parent.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", path=path) from None


def resolve_outputs(raw: Sequence[Sequence[str | None]] | None) -> list[tuple[str, str | None]]:
    from garrison.core.errors import UsageError
    from garrison.formats.base import available

    pairs = [(str(n), p) for n, p in (raw or [])] or [("table", None)]
    names = available()
    to_stdout = 0
    for name, path in pairs:
        if name not in names:
            raise UsageError(f"unknown format {name!r} (available: {', '.join(names)})")
        if path is None or path == "-":
            to_stdout += 1
    if to_stdout > 1:
        raise UsageError("several formats would go to stdout; give each but one an --output FILE")
    return pairs
