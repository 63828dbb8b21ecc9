"""Git targets: what is staged (the pre-commit view) and the history of a repository (added lines only).

Both drive the ``git`` command through a subprocess and stream its ``-U0`` patch output; nothing is
checked out and no library binding is needed. Each file of each commit becomes one :class:`SourceFile`
*fragment*: its content is the added lines, its ``line_map`` the lines' numbers in the file, and it carries
the :class:`Commit`. History is yielded oldest first, which is what the engine's cross-commit
deduplication relies on (a secret is reported once, at the commit that introduced it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

from pathspec import GitIgnoreSpec

from garrison.core.config import ScanConfig
from garrison.core.errors import InputError, UsageError
from garrison.core.report import ScanStats, Target
from garrison.scan.source import BytesOrigin, SourceFile
from garrison.scan.target import ScanTarget
from garrison.scan.targets.patch import LOG_FORMAT, FilePatch, parse_patches

_GIT_OPTS = ("-c", "core.quotePath=false", "-c", "color.ui=false", "-c", "log.showSignature=false")
_DIFF_OPTS = ("-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/")


def _git_binary() -> str:
    git = shutil.which("git")
    if git is None:
        raise UsageError("git is not installed (needed for --staged and --git-history)")
    return git


def _run(repo: Path, *args: str) -> str:
    proc = subprocess.run([_git_binary(), *_GIT_OPTS, *args], cwd=repo, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        msg = (proc.stderr.strip().splitlines() or ["git failed"])[-1]
        raise InputError(msg.removeprefix("fatal: "), path=str(repo))
    return proc.stdout.strip()


def repo_root(path: Path) -> Path:
    """The top level of the work tree that contains ``path``; a one-line error if there is none."""
    if not path.exists():
        raise InputError("no such file or directory", path=str(path))
    where = path if path.is_dir() else path.parent
    proc = subprocess.run(
        [_git_binary(), "rev-parse", "--show-toplevel"], cwd=where, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise InputError("not inside a git repository (--staged and --git-history need one)", path=str(path))
    return Path(proc.stdout.strip())


class _GitTarget(ScanTarget):
    root: Path

    def __init__(self, path: Path, config: ScanConfig | None = None) -> None:
        self.root = repo_root(path)
        self.config = config or ScanConfig()
        rel = os.path.relpath(path.resolve(), self.root.resolve())
        self.pathspec: tuple[str, ...] = () if rel == "." else (rel.replace(os.sep, "/"),)
        self._include = GitIgnoreSpec.from_lines(self.config.include) if self.config.include else None
        self._exclude = GitIgnoreSpec.from_lines(self.config.exclude) if self.config.exclude else None
        self._stats = {"seen": 0, "ignored": 0, "large": 0, "binary": 0}

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _wanted(self, patch: FilePatch) -> bool:
        self._stats["seen"] += 1
        if patch.binary:
            self._stats["binary"] += 1
            return False
        if (self._exclude and self._exclude.match_file(patch.path)) or (
            self._include and not self._include.match_file(patch.path)
        ):
            self._stats["ignored"] += 1
            return False
        return True

    def files(self) -> Iterator[SourceFile]:
        cmd = [_git_binary(), *_GIT_OPTS, *self._command()]
        if self.pathspec:
            cmd += ["--", *self.pathspec]
        proc = subprocess.Popen(cmd, cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        try:
            for patch in parse_patches(proc.stdout):
                if not self._wanted(patch):
                    continue
                data = patch.text()
                if len(data) > self.config.max_file_size:
                    self._stats["large"] += 1
                    continue
                yield SourceFile(
                    path=patch.path,
                    size=len(data),
                    origin=BytesOrigin(data),
                    mode=patch.mode,
                    commit=patch.commit,
                    line_map=tuple(patch.lines),
                )
        finally:
            proc.stdout.close()
            err = proc.stderr.read().decode("utf-8", "replace")
            proc.stderr.close()
            code = proc.wait()
        if code != 0:
            msg = (err.strip().splitlines() or ["git failed"])[-1]
            raise InputError(msg.removeprefix("fatal: "), path=str(self.root))

    def stats(self) -> ScanStats:
        s = self._stats
        return ScanStats(files_seen=s["seen"], skipped_ignored=s["ignored"], skipped_large=s["large"])


class StagedTarget(_GitTarget):
    """What ``git commit`` would record now: the added lines of the staged diff (the pre-commit hook's view)."""

    def _command(self) -> list[str]:
        return ["diff", "--cached", *_DIFF_OPTS, "--diff-filter=ACMR"]

    def describe(self) -> Target:
        return Target(path=self.root.as_posix(), kind="staged", detail="staged changes (added lines)")


class HistoryTarget(_GitTarget):
    """Every commit's added lines, oldest first: all branches, or one branch, optionally since a revision."""

    def __init__(
        self, path: Path, config: ScanConfig | None = None, *, since: str | None = None, branch: str | None = None
    ) -> None:
        super().__init__(path, config)
        self.since = since
        self.branch = branch
        for flag, rev in (("--since", since), ("--branch", branch)):
            if rev is not None:
                self._verify(flag, rev)

    def _verify(self, flag: str, rev: str) -> None:
        if rev.startswith("-") or not rev.strip():
            raise InputError(f"not a revision: {rev!r}", field=flag)
        proc = subprocess.run(
            [_git_binary(), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
            cwd=self.root,
            capture_output=True,
            check=False,
        )
        if proc.returncode != 0:
            raise InputError(f"unknown revision {rev!r}", field=flag)

    def revisions(self) -> list[str]:
        tip = [self.branch] if self.branch else ["--all"]
        if self.since:
            return [*tip, f"^{self.since}"]
        return tip

    def _command(self) -> list[str]:
        return [
            "log",
            "-p",
            *_DIFF_OPTS,
            "--reverse",
            "--topo-order",
            "--full-history",
            f"--format={LOG_FORMAT}",
            *self.revisions(),
        ]

    def describe(self) -> Target:
        parts = [f"branch {self.branch}" if self.branch else "all branches"]
        if self.since:
            parts.append(f"since {self.since}")
        return Target(path=self.root.as_posix(), kind="git-history", detail=", ".join(parts))


def git_target(
    path: Path,
    config: ScanConfig | None,
    *,
    staged: bool = False,
    history: bool = False,
    since: str | None = None,
    branch: str | None = None,
) -> ScanTarget | None:
    """The target the command line asked for, or None for the working tree."""
    if staged and history:
        raise UsageError("--staged and --git-history cannot be combined")
    if since and not history:
        raise UsageError("--since needs --git-history")
    if staged:
        return StagedTarget(path, config)
    if history:
        return HistoryTarget(path, config, since=since, branch=branch)
    return None


__all__: Sequence[str] = ("HistoryTarget", "StagedTarget", "git_target", "repo_root")
