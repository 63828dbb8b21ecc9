"""Files as analyzers see them, wherever they came from (disk, archive member, git blob)."""

from __future__ import annotations

import codecs
import os
from bisect import bisect_left
from dataclasses import dataclass
from typing import Protocol

from garrison.core.errors import FileSkipped
from garrison.core.finding import Commit

BINARY_SNIFF = 8192


class Origin(Protocol):
    """Where the bytes come from. Implementations must be picklable (files go to worker processes)."""

    def read(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class DiskOrigin:
    abspath: str

    def __reduce__(self) -> tuple[type[DiskOrigin], tuple[str]]:
        return (DiskOrigin, (self.abspath,))  # plain-tuple pickling: files cross to worker processes in bulk

    def read(self) -> bytes:
        try:
            with open(self.abspath, "rb") as fh:
                return fh.read()
        except OSError as exc:
            raise FileSkipped(f"cannot read: {exc.strerror or exc}") from None


@dataclass(frozen=True, slots=True)
class BytesOrigin:
    data: bytes

    def read(self) -> bytes:
        return self.data


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file to analyze. ``path`` is POSIX, relative to the scan root (``a.zip!b/c`` inside archives)."""

    path: str
    size: int
    origin: Origin
    mode: int = 0o100644
    commit: Commit | None = None
    abspath: str | None = None  # set for files on disk
    #: for fragments (the added lines of a commit or of the staged diff): the file's own line number of
    #: each line of the content, ascending. None for whole files.
    line_map: tuple[int, ...] | None = None

    def __reduce__(self) -> tuple[type[SourceFile], tuple[object, ...]]:
        # plain-tuple pickling (several times faster than the dataclass default): the engine sends every
        # file to a worker process
        return (SourceFile, (self.path, self.size, self.origin, self.mode, self.commit, self.abspath, self.line_map))

    @property
    def is_fragment(self) -> bool:
        return self.line_map is not None

    def content_line(self, line: int) -> int | None:
        """Index (1-based) in the content of the file's line ``line``; None when it is not in a fragment."""
        if self.line_map is None:
            return line
        i = bisect_left(self.line_map, line)
        return i + 1 if i < len(self.line_map) and self.line_map[i] == line else None

    def loaded(self) -> SourceFile:
        """The same file with its bytes read once and held in memory (for several readers)."""
        if isinstance(self.origin, BytesOrigin):
            return self
        # the constructor, not dataclasses.replace: this runs once per file of every scan
        return SourceFile(
            self.path, self.size, BytesOrigin(self.origin.read()), self.mode, self.commit, self.abspath, self.line_map
        )

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1].rsplit("!", 1)[-1]

    def read_bytes(self) -> bytes:
        return self.origin.read()

    def read_text(self, data: bytes | None = None) -> str:
        """Strict UTF-8 (a BOM is dropped); undecodable files are skipped with a recorded reason."""
        raw = self.read_bytes() if data is None else data
        if raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileSkipped(f"not valid UTF-8 (byte {exc.start})", path=self.path) from None


def looks_binary(head: bytes) -> bool:
    """Git's heuristic: a NUL byte in the first 8 KiB means binary (UTF-16 with BOM is text)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head[:BINARY_SNIFF]


def disk_file(root: str, rel: str, st: os.stat_result) -> SourceFile:
    abspath = os.path.join(root, rel)
    return SourceFile(path=rel, size=st.st_size, origin=DiskOrigin(abspath), mode=st.st_mode, abspath=abspath)
