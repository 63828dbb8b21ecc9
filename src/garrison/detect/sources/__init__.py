"""Log inputs: expand LOGS arguments (files, directories, globs, ``-``), open them (gzip transparently) and pick
the source for each by content (or ``--input-format``)."""

from __future__ import annotations

import glob
import gzip
import io
import json
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from garrison.core.errors import InputError, UsageError
from garrison.detect.sources.base import READ_ERRORS, Source

FORMATS: dict[str, str] = {
    "evtx": "garrison.detect.sources.windows:EvtxSource",
    "jsonl": "garrison.detect.sources.jsonl:JsonLinesSource",
    "json": "garrison.detect.sources.jsonl:JsonArraySource",
    "ecs": "garrison.detect.sources.ecs:EcsSource",
    "cloudtrail": "garrison.detect.sources.cloudtrail:CloudTrailSource",
    "k8s-audit": "garrison.detect.sources.k8s:K8sAuditSource",
    "zeek": "garrison.detect.sources.zeek:ZeekSource",
    "suricata": "garrison.detect.sources.suricata:SuricataSource",
    "syslog": "garrison.detect.sources.syslog:SyslogSource",
    "auditd": "garrison.detect.sources.auditd:AuditdSource",
    "weblog": "garrison.detect.sources.weblog:WebAccessSource",
}

HEAD = 64 * 1024
_SKIP_SUFFIXES = (".yml", ".yaml", ".md", ".txt.sig", ".sha256", ".pdf", ".png", ".jpg", ".zip", ".exe", ".dll")


def available() -> list[str]:
    return sorted(FORMATS)


def get_source(name: str) -> Source:
    import importlib

    target = FORMATS.get(name)
    if target is None:
        raise UsageError(f"unknown input format {name!r} (available: auto, {', '.join(available())})")
    module, _, attr = target.partition(":")
    src: Source = getattr(importlib.import_module(module), attr)()
    return src


@dataclass(frozen=True, slots=True)
class LogInput:
    path: str  # "-" for stdin
    display: str


def expand(args: Sequence[str]) -> list[LogInput]:
    """Files as given; directories recursively (sorted, hidden and obvious non-log files skipped); globs."""
    out: list[LogInput] = []
    for arg in args:
        if arg == "-":
            out.append(LogInput("-", "-"))
            continue
        p = Path(arg)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith(".") or name.lower().endswith(_SKIP_SUFFIXES):
                        continue
                    fp = os.path.join(root, name)
                    if os.path.islink(fp):
                        continue
                    out.append(LogInput(fp, fp))
            continue
        if p.is_file():
            out.append(LogInput(arg, arg))
            continue
        if any(ch in arg for ch in "*?["):
            matches = sorted(m for m in glob.glob(arg, recursive=True) if os.path.isfile(m))
            if not matches:
                raise InputError("no file matches this pattern", path=arg)
            out.extend(LogInput(m, m) for m in matches)
            continue
        raise InputError("log file not found", path=arg)
    return out


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were already read for detection."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(b)
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(view))
        n = len(data)
        view[:n] = data
        return n


def open_input(inp: LogInput) -> tuple[IO[bytes], bytes]:
    """A buffered binary stream (gzip decompressed) and its first bytes, for detection."""
    try:
        raw: IO[bytes] = sys.stdin.buffer if inp.path == "-" else open(inp.path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=inp.display) from None
    magic = raw.read(2)
    base: IO[bytes] = io.BufferedReader(_Prefixed(magic, raw), buffer_size=1 << 16)
    if magic == b"\x1f\x8b":
        base = gzip.GzipFile(fileobj=base, mode="rb")  # type: ignore[assignment]
    try:
        head = base.read(HEAD)
    except READ_ERRORS as exc:
        raise InputError(f"cannot decompress: {exc}", path=inp.display) from None
    stream = io.BufferedReader(_Prefixed(head, base), buffer_size=1 << 16)
    return stream, head


_RE_5424 = re.compile(rb"^<\d{1,3}>\d{1,2} ")
_RE_3164 = re.compile(rb"^(?:<\d{1,3}>)?[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d ")
_RE_AUDIT = re.compile(rb"^(?:node=\S+ )?type=[A-Z0-9_]+ msg=audit\(")
_RE_CLF = re.compile(rb'^\S+ \S+ \S+ \[[^\]]+\] "')


def detect(head: bytes, name: str) -> str | None:
    """The input format from the first bytes (after decompression), or None."""
    if head.startswith(b"ElfFile\x00"):
        return "evtx"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{"):
        first = text.split(b"\n", 1)[0].strip()
        try:
            obj = json.loads(first)
        except (ValueError, RecursionError):
            obj = None
        if isinstance(obj, dict):
            from garrison.detect.sources.jsonl import classify

            kind = classify(obj)
            if kind == "zeek":
                return "zeek"
            if kind == "suricata":
                return "suricata"
            if kind == "k8s":
                return "k8s-audit"
            return "jsonl"
        if re.match(rb'^\{\s*"Records"\s*:', text):
            return "cloudtrail"
        return "jsonl"
    if text.startswith(b"["):
        return "json"
    first = text.split(b"\n", 1)[0]
    if _RE_AUDIT.match(first):
        return "auditd"
    if _RE_5424.match(first) or _RE_3164.match(first):
        return "syslog"
    if _RE_CLF.match(first):
        return "weblog"
    if re.search(rb"\.evtx$", name.encode(), re.I):
        return "evtx"
    return None


def iter_inputs(args: Sequence[str]) -> Iterator[LogInput]:
    yield from expand(args)
