"""Scan targets: where the files come from. The working tree here; git staged/history and archives extend it."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path

from garrison.core.config import ScanConfig
from garrison.core.errors import InputError
from garrison.core.report import ScanStats, Target
from garrison.scan.archive import ArchiveLimits, ArchiveStats, archive_kind, expand
from garrison.scan.source import SourceFile, disk_file
from garrison.scan.walk import WalkStats, walk


class ScanTarget(ABC):
    """A source of files. ``root`` is the directory paths are relative to (None when there is none)."""

    root: Path | None

    @abstractmethod
    def describe(self) -> Target: ...

    @abstractmethod
    def files(self) -> Iterator[SourceFile]: ...

    def stats(self) -> ScanStats:
        return ScanStats()

    def warnings(self) -> list[str]:
        """One-line notes about what the target could not offer (e.g. an archive member skipped)."""
        return []


class DirectoryTarget(ScanTarget):
    root: Path

    """The working tree under ``root`` (or a single file), filtered by ignore files and config."""

    def __init__(self, root: Path, config: ScanConfig | None = None) -> None:
        if not root.exists():
            raise InputError("no such file or directory", path=str(root))
        if not (root.is_dir() or root.is_file()):
            raise InputError("not a regular file or directory", path=str(root))
        if root.is_dir() and not os.access(root, os.R_OK | os.X_OK):
            raise InputError("directory is not readable", path=str(root))
        self.root = root
        self.config = config or ScanConfig()
        self._walk_stats = WalkStats()
        self._archive_stats = ArchiveStats()
        cfg = self.config
        self._limits = ArchiveLimits(
            max_depth=cfg.archive_max_depth,
            max_members=cfg.archive_max_members,
            max_size=cfg.archive_max_size,
            max_member_size=cfg.max_file_size,
        )

    def _with_members(self, file: SourceFile) -> Iterator[SourceFile]:
        yield file
        if self.config.archives and self._limits.max_depth > 0 and archive_kind(file.path) and file.abspath:
            yield from expand(file.path, file.abspath, self._limits, self._archive_stats)

    def describe(self) -> Target:
        return Target(path=self.root.as_posix(), kind="directory" if self.root.is_dir() else "file")

    def files(self) -> Iterator[SourceFile]:
        if self.root.is_file():
            if not os.access(self.root, os.R_OK):
                raise InputError("file is not readable", path=str(self.root))
            st = self.root.stat()
            self._walk_stats.files_seen += 1
            if st.st_size > self.config.max_file_size:
                self._walk_stats.skipped_large += 1
                return
            yield from self._with_members(disk_file(str(self.root.parent), self.root.name, st))
            return
        root = os.fspath(self.root)
        for rel, st in walk(
            root,
            include=self.config.include,
            exclude=self.config.exclude,
            gitignore=self.config.gitignore,
            max_file_size=self.config.max_file_size,
            stats=self._walk_stats,
        ):
            yield from self._with_members(disk_file(root, rel, st))

    def stats(self) -> ScanStats:
        w = self._walk_stats
        return ScanStats(
            files_seen=w.files_seen,
            skipped_ignored=w.skipped_ignored,
            skipped_large=w.skipped_large,
            skipped_symlinks=w.skipped_symlinks,
        )

    def warnings(self) -> list[str]:
        return list(self._archive_stats.warnings)
