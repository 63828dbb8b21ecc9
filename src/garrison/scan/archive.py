"""Archives inside the scanned tree (zip, jar/war/whl, tar, tar.gz/bz2/xz): their members become
:class:`SourceFile`\\ s named ``archive.zip!inner/path`` so every analyzer sees them.

Nothing is extracted to disk. Hostile archives are bounded: nesting depth, member count, the expanded size
of one archive (a zip bomb stops at the budget, whatever its headers claim) and each member's size; member
names that are absolute or climb out with ``..`` are skipped, as are links and device files. Every skip is
one warning line; a corrupt archive is a warning too, never a failed scan.
"""

from __future__ import annotations

import io
import lzma
import posixpath
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from garrison.scan.source import BytesOrigin, SourceFile

ZIP_SUFFIXES = (".zip", ".jar", ".war", ".ear", ".whl", ".nupkg", ".aar", ".apk", ".vsix", ".xpi")
TAR_SUFFIXES = (".tar", ".tgz", ".tar.gz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
_READ_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    max_depth: int = 2  # archives inside archives, this many levels deep
    max_members: int = 10_000  # per archive
    max_size: int = 256 * 1024 * 1024  # expanded bytes per top-level archive (all nested levels together)
    max_member_size: int = 10 * 1024 * 1024  # one member (the scan's max_file_size)


@dataclass(slots=True)
class ArchiveStats:
    archives: int = 0
    members: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        self.skipped += 1
        if len(self.warnings) < 100:
            self.warnings.append(message)
        elif len(self.warnings) == 100:
            self.warnings.append("further archive warnings omitted")


def archive_kind(name: str) -> str | None:
    low = name.lower()
    if low.endswith(TAR_SUFFIXES):
        return "tar"
    if low.endswith(ZIP_SUFFIXES):
        return "zip"
    return None


class _Budget:
    def __init__(self, total: int) -> None:
        self.left = total


def _safe_name(name: str) -> str | None:
    """The member's normalised relative path, or None when it is absolute or escapes the archive."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    norm = posixpath.normpath(name)
    if norm in (".", "") or norm == ".." or norm.startswith("../"):
        return None
    return norm


def _read_bounded(fh: IO[bytes], limit: int) -> bytes | None:
    """Read at most ``limit`` bytes; None if there is more (the declared size is never trusted)."""
    out = bytearray()
    while True:
        chunk = fh.read(min(_READ_CHUNK, limit + 1 - len(out)))
        if not chunk:
            return bytes(out)
        out += chunk
        if len(out) > limit:
            return None


def expand(
    path: str, data_or_file: bytes | str, limits: ArchiveLimits, stats: ArchiveStats, depth: int = 1
) -> Iterator[SourceFile]:
    """Members of the archive at ``path`` (``data_or_file``: its bytes, or the file to open)."""
    kind = archive_kind(path.rsplit("!", 1)[-1])
    if kind is None:
        return
    stats.archives += 1
    budget = _Budget(limits.max_size)
    yield from _expand(path, data_or_file, kind, limits, stats, depth, budget)


def _expand(
    path: str,
    src: bytes | str,
    kind: str,
    limits: ArchiveLimits,
    stats: ArchiveStats,
    depth: int,
    budget: _Budget,
) -> Iterator[SourceFile]:
    fh: IO[bytes] = io.BytesIO(src) if isinstance(src, bytes) else open(src, "rb")  # noqa: SIM115
    try:
        members = _zip_members if kind == "zip" else _tar_members
        for name, data in members(path, fh, limits, stats, budget):
            inner = f"{path}!{name}"
            stats.members += 1
            yield SourceFile(path=inner, size=len(data), origin=BytesOrigin(data))
            nested = archive_kind(name)
            if nested is not None:
                if depth >= limits.max_depth:
                    stats.warn(f"{inner}: nested archive not expanded (depth limit {limits.max_depth})")
                else:
                    stats.archives += 1
                    yield from _expand(inner, data, nested, limits, stats, depth + 1, budget)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        tarfile.TarError,
        zlib.error,
        lzma.LZMAError,
        EOFError,
        OSError,
        ValueError,
        RuntimeError,
        NotImplementedError,
    ) as exc:
        stats.warn(f"{path}: cannot read archive ({type(exc).__name__}: {exc})"[:300])
    finally:
        fh.close()


def _member_limit(path: str, count: int, limits: ArchiveLimits, stats: ArchiveStats) -> bool:
    if count > limits.max_members:
        stats.warn(f"{path}: more than {limits.max_members} members; the rest is not scanned")
        return True
    return False


def _zip_members(
    path: str, fh: IO[bytes], limits: ArchiveLimits, stats: ArchiveStats, budget: _Budget
) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(fh) as zf:
        for count, info in enumerate(zf.infolist(), 1):
            if _member_limit(path, count, limits, stats):
                return
            if info.is_dir():
                continue
            name = _safe_name(info.filename)
            if name is None:
                stats.warn(f"{path}: member {info.filename!r} escapes the archive; skipped")
                continue
            mode = info.external_attr >> 16
            if stat.S_IFMT(mode) not in (0, stat.S_IFREG):
                stats.warn(f"{path}!{name}: not a regular file (link or device); skipped")
                continue
            if info.flag_bits & 0x1:
                stats.warn(f"{path}!{name}: encrypted; skipped")
                continue
            limit = min(limits.max_member_size, budget.left)
            with zf.open(info) as member:
                data = _read_bounded(member, limit)
            if data is None:
                if budget.left < limits.max_member_size:
                    stats.warn(f"{path}: expanded size limit ({limits.max_size} bytes) reached; the rest is skipped")
                    return
                stats.warn(f"{path}!{name}: larger than {limits.max_member_size} bytes; skipped")
                continue
            budget.left -= len(data)
            yield name, data


def _tar_members(
    path: str, fh: IO[bytes], limits: ArchiveLimits, stats: ArchiveStats, budget: _Budget
) -> Iterator[tuple[str, bytes]]:
    with tarfile.open(fileobj=fh, mode="r:*") as tf:
        count = 0
        start_budget = budget.left
        while True:
            info = tf.next()
            if info is None:
                return
            count += 1
            if _member_limit(path, count, limits, stats):
                return
            # a compressed tar is read sequentially: what it expands to *so far* is the offset
            if info.offset_data > start_budget:
                stats.warn(f"{path}: expanded size limit ({limits.max_size} bytes) reached; the rest is skipped")
                return
            if info.isdir():
                continue
            name = _safe_name(info.name)
            if name is None:
                stats.warn(f"{path}: member {info.name!r} escapes the archive; skipped")
                continue
            if not info.isreg():
                stats.warn(f"{path}!{name}: not a regular file (link or device); skipped")
                continue
            if info.size > limits.max_member_size:
                stats.warn(f"{path}!{name}: larger than {limits.max_member_size} bytes; skipped")
                continue
            if info.size > budget.left:
                stats.warn(f"{path}: expanded size limit ({limits.max_size} bytes) reached; the rest is skipped")
                return
            member = tf.extractfile(info)
            if member is None:
                continue
            data = _read_bounded(member, info.size)
            if data is None:
                continue
            budget.left -= len(data)
            yield name, data
