"""The log-source interface and the streaming helpers every source uses.

A source turns a byte stream into :class:`Event`\\ s, one record at a time (memory stays bounded: lines and JSON
elements have size limits, nothing reads a whole file). A record it cannot parse is *counted* with its
position in :class:`SourceStats` and the file goes on.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from orjson import loads as _orjson_loads

from garrison.detect.event import Event

#: what reading a (possibly compressed) stream can raise besides parse errors: recorded, never a crash
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, ValueError, zlib.error)

#: longest line a text source accepts (a longer one is a corrupt record, skipped without reading it whole)
MAX_LINE = 1024 * 1024
#: largest single JSON element in an array-shaped file (CloudTrail Records, JSON arrays)
MAX_ELEMENT = 16 * 1024 * 1024
#: corrupt positions kept per file (the count is always exact)
MAX_CORRUPT_KEPT = 20


@dataclass
class SourceStats:
    """What one input produced: records, corrupt records (with the first positions and reasons)."""

    origin: str
    format: str = ""
    events: int = 0
    corrupt: int = 0
    corrupt_samples: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None  # the whole input could not be read
    line_base: int = 0  # lines before this part of the file (a worker reading a byte range of it)

    def bad(self, position: str | int, reason: str) -> None:
        self.corrupt += 1
        if len(self.corrupt_samples) < MAX_CORRUPT_KEPT:
            self.corrupt_samples.append((str(position), reason[:200]))


class Source(Protocol):
    """``name`` is the ``--input-format`` value; ``records`` streams events from an open binary file."""

    name: str

    def records(self, stream: IO[bytes], origin: str, stats: SourceStats) -> Iterator[Event]: ...


def iter_lines(stream: IO[bytes], stats: SourceStats) -> Iterator[tuple[int, str]]:
    """(1-based line number, text) with bounded line length; undecodable bytes are replaced."""
    lineno = stats.line_base
    while True:
        raw = stream.readline(MAX_LINE + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
            stats.bad(lineno, f"line longer than {MAX_LINE} bytes")
            while True:  # skip the rest of the over-long line without keeping it
                rest = stream.readline(MAX_LINE)
                if not rest or rest.endswith(b"\n"):
                    break
            continue
        text = raw.decode("utf-8", "replace").rstrip("\r\n")
        if lineno == 1 and text.startswith("\ufeff"):
            text = text[1:]
        yield lineno, text


def loads(data: str | bytes) -> Any:
    """orjson (fast, depth-limited) with the standard library as the fallback for what orjson refuses but
    JSON writers emit in the wild (integers beyond 64 bits, NaN)."""
    try:
        return _orjson_loads(data)
    except ValueError:
        if isinstance(data, bytes):
            data = data.decode("utf-8", "replace")
        return json.loads(data)


def iter_json_lines(stream: IO[bytes], stats: SourceStats) -> Iterator[tuple[int, dict[str, Any]]]:
    """JSON objects, one per line (blank lines skipped, anything else counted as corrupt)."""
    lineno = stats.line_base
    while True:
        raw = stream.readline(MAX_LINE + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
            stats.bad(lineno, f"line longer than {MAX_LINE} bytes")
            while True:
                rest = stream.readline(MAX_LINE)
                if not rest or rest.endswith(b"\n"):
                    break
            continue
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        try:
            obj = loads(raw)
        except (ValueError, RecursionError) as exc:
            stats.bad(lineno, f"invalid JSON: {exc}")
            continue
        if not isinstance(obj, dict):
            stats.bad(lineno, "not a JSON object")
            continue
        yield lineno, obj


def iter_json_array(
    stream: IO[bytes], stats: SourceStats, *, key: str | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Elements of a top-level JSON array (or of the array under ``key`` in a top-level object), streamed:
    the scanner tracks strings and nesting to cut one element at a time, then parses just that element."""
    reader = _Chunks(stream)
    if key is not None:
        if not reader.seek_key(key):
            stats.bad(0, f"no {key!r} array found")
            return
    elif not reader.seek_char("["):
        stats.bad(0, "not a JSON array")
        return
    index = 0
    while True:
        elem = reader.next_element()
        if elem is None:
            return
        index += 1
        if isinstance(elem, str):  # an error description
            stats.bad(index, elem)
            if elem.startswith("truncated"):
                return
            continue
        try:
            obj = loads(elem)
        except (ValueError, RecursionError) as exc:
            stats.bad(index, f"invalid JSON: {exc}")
            continue
        if not isinstance(obj, dict):
            stats.bad(index, "not a JSON object")
            continue
        yield index, obj


class _Chunks:
    """A tiny incremental scanner over a byte stream for array element boundaries."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.buf = b""
        self.pos = 0
        self.eof = False

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(1 << 16)
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def _peek(self) -> int | None:
        while self.pos >= len(self.buf):
            if not self._fill():
                return None
        return self.buf[self.pos]

    def seek_char(self, ch: str) -> bool:
        target = ord(ch)
        while True:
            c = self._peek()
            if c is None:
                return False
            self.pos += 1
            if c == target:
                return True
            if c not in b" \t\r\n\xef\xbb\xbf":
                return False

    def seek_key(self, key: str) -> bool:
        needle = json.dumps(key).encode()
        scanned = 0
        while True:
            idx = self.buf.find(needle, self.pos)
            if idx >= 0:
                self.pos = idx + len(needle)
                # skip ':' and whitespace, expect '['
                while True:
                    c = self._peek()
                    if c is None:
                        return False
                    self.pos += 1
                    if c == ord("["):
                        return True
                    if c not in b" \t\r\n:":
                        break
                continue
            scanned += len(self.buf) - self.pos
            if scanned > MAX_ELEMENT:
                return False
            keep = max(self.pos, len(self.buf) - len(needle))
            self.pos = keep
            if not self._fill():
                return False

    def next_element(self) -> bytes | str | None:
        # skip whitespace and commas
        while True:
            c = self._peek()
            if c is None:
                return None
            if c in b" \t\r\n,":
                self.pos += 1
                continue
            if c == ord("]"):
                self.pos += 1
                return None
            break
        start = self.pos
        depth = 0
        in_str = False
        esc = False
        i = self.pos
        while True:
            if i >= len(self.buf):
                consumed = i - start
                if consumed > MAX_ELEMENT:
                    return "truncated: element larger than the size limit"
                self.buf = self.buf[start:]
                i -= start
                start = 0
                self.pos = 0
                if not self._fill_keep():
                    return "truncated: input ends inside an element"
                continue
            c = self.buf[i]
            i += 1
            if in_str:
                if esc:
                    esc = False
                elif c == 0x5C:
                    esc = True
                elif c == 0x22:
                    in_str = False
                continue
            if c == 0x22:
                in_str = True
            elif c in (0x7B, 0x5B):
                depth += 1
            elif c in (0x7D, 0x5D):
                depth -= 1
                if depth < 0:  # a ']' closing the outer array right after a scalar
                    self.pos = i
                    return bytes(self.buf[start : i - 1]) or None
                if depth == 0:
                    self.pos = i
                    return bytes(self.buf[start:i])
            elif depth == 0 and c == 0x2C:
                self.pos = i
                return bytes(self.buf[start : i - 1])

    def _fill_keep(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(1 << 16)
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf + chunk
        return True
