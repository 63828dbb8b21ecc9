"""Walk a directory the way git sees it: .gitignore (nested), .git/info/exclude, .garrisonignore,
include/exclude globs, no symlinks followed, size limit. Fast enough for 100k files (benchmarks/startup.py).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from pathspec import GitIgnoreSpec

IGNORE_FILES = (".gitignore", ".garrisonignore")
ALWAYS_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn"})


@dataclass(slots=True)
class WalkStats:
    files_seen: int = 0
    skipped_ignored: int = 0
    skipped_large: int = 0
    skipped_symlinks: int = 0
    skipped_unreadable: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Spec:
    base: str  # directory the patterns are relative to ("" for the root), with trailing "/"
    spec: GitIgnoreSpec


def _read_spec(abs_dir: str, name: str, base: str) -> _Spec | None:
    try:
        with open(os.path.join(abs_dir, name), encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    lines = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return None
    return _Spec(base, GitIgnoreSpec.from_lines(lines))


def _ignored(specs: Sequence[_Spec], rel: str) -> bool:
    """Git semantics: the last matching pattern across all levels decides (negations re-include)."""
    verdict = False
    for s in specs:
        if s.base and not rel.startswith(s.base):
            continue
        res = s.spec.check_file(rel[len(s.base) :])
        if res.include is not None:
            verdict = res.include
    return verdict


def walk(
    root: str,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    gitignore: bool = True,
    max_file_size: int | None = None,
    stats: WalkStats | None = None,
) -> Iterator[tuple[str, os.stat_result]]:
    """Yield ``(relative_posix_path, stat)`` for every regular file that should be scanned.

    Order is deterministic: a directory's files by name, then its subdirectories by name.
    """
    st_ = stats if stats is not None else WalkStats()
    names = IGNORE_FILES if gitignore else (".garrisonignore",)
    root_specs: list[_Spec] = []
    if gitignore:
        excludes = _read_spec(os.path.join(root, ".git", "info"), "exclude", "")
        if excludes:
            root_specs.append(excludes)
    user_excl = GitIgnoreSpec.from_lines(exclude) if exclude else None
    user_incl = GitIgnoreSpec.from_lines(include) if include else None

    stack: list[tuple[str, list[_Spec]]] = [("", root_specs)]
    while stack:
        rel_dir, inherited = stack.pop()
        abs_dir = os.path.join(root, rel_dir) if rel_dir else root
        specs = inherited
        local = [s for n in names if (s := _read_spec(abs_dir, n, rel_dir)) is not None]
        if local:
            specs = [*inherited, *local]
        try:
            with os.scandir(abs_dir) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            st_.skipped_unreadable.append(rel_dir or ".")
            continue
        subdirs: list[str] = []
        for entry in entries:
            rel = f"{rel_dir}{entry.name}"
            try:
                if entry.is_symlink():
                    st_.skipped_symlinks += 1
                    continue
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                st_.skipped_unreadable.append(rel)
                continue
            if is_dir:
                if entry.name in ALWAYS_SKIPPED_DIRS:
                    continue
                drel = rel + "/"
                if (specs and _ignored(specs, drel)) or (user_excl and user_excl.match_file(drel)):
                    st_.skipped_ignored += 1
                    continue
                subdirs.append(drel)
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                st_.skipped_unreadable.append(rel)
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            st_.files_seen += 1
            if (
                (specs and _ignored(specs, rel))
                or (user_excl and user_excl.match_file(rel))
                or (user_incl and not user_incl.match_file(rel))
            ):
                st_.skipped_ignored += 1
                continue
            if max_file_size is not None and info.st_size > max_file_size:
                st_.skipped_large += 1
                continue
            yield rel, info
        for d in reversed(subdirs):
            stack.append((d, specs))
