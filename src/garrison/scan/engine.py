"""The engine: dispatch files to analyzers (in worker processes where that pays), isolate failures,
apply inline suppressions, make fingerprints unique, and collect everything deterministically.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from garrison.core.finding import Finding, SuppressedFinding, Suppression
from garrison.core.fingerprint import disambiguate
from garrison.core.report import AnalyzerError, AnalyzerRun, ScanStats
from garrison.scan.analyzer import Analyzer, Emitted, FileAnalyzer, ScanContext, isolate
from garrison.scan.source import SourceFile
from garrison.scan.target import ScanTarget

Progress = Callable[[int, int], None]
T = TypeVar("T")

#: below this much per-file work, worker processes cost more than they save (benchmarks/parallel.py)
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
PARALLEL_MIN_FILES = 256
CHUNK_BYTES = 2 * 1024 * 1024
CHUNK_FILES = 256


@dataclass(slots=True)
class _Outcome:
    """What one analyzer produced over some files."""

    emitted: list[Emitted] = field(default_factory=list)
    errors: list[AnalyzerError] = field(default_factory=list)
    skipped_binary: set[str] = field(default_factory=set)
    files: int = 0
    seconds: float = 0.0
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def merge(self, other: _Outcome) -> None:
        self.emitted.extend(other.emitted)
        self.errors.extend(other.errors)
        self.skipped_binary |= other.skipped_binary
        self.files += other.files
        self.seconds += other.seconds
        self.metadata.update(other.metadata)
        self.warnings.extend(w for w in other.warnings if w not in self.warnings)

    def absorb(self, ctx: ScanContext) -> None:
        self.errors.extend(ctx.errors)
        self.skipped_binary |= ctx.skipped_binary
        self.metadata.update(ctx.metadata)
        self.warnings.extend(w for w in ctx.warnings if w not in self.warnings)


@dataclass(frozen=True, slots=True)
class EngineResult:
    findings: tuple[Finding, ...]
    suppressed: tuple[SuppressedFinding, ...]
    runs: tuple[AnalyzerRun, ...]
    stats: ScanStats
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


# Worker state: set in the parent before the pool forks, so workers inherit compiled analyzers.
_WORKER_ANALYZERS: Sequence[Analyzer] = ()
_WORKER_CONTEXT: ScanContext | None = None


def _run_chunk(chunk: Sequence[tuple[SourceFile, tuple[int, ...]]]) -> dict[int, _Outcome]:
    ctx_proto = _WORKER_CONTEXT or ScanContext()
    return _analyze_files(_WORKER_ANALYZERS, chunk, ctx_proto)


def _analyze_files(
    analyzers: Sequence[Analyzer],
    chunk: Sequence[tuple[SourceFile, tuple[int, ...]]],
    proto: ScanContext,
) -> dict[int, _Outcome]:
    out: dict[int, _Outcome] = defaultdict(_Outcome)
    for file, wanted in chunk:
        shared = file
        if len(wanted) > 1:
            try:
                shared = file.loaded()
            except Exception:  # noqa: BLE001 - each analyzer records the read error itself
                shared = file
        for idx in wanted:
            analyzer = analyzers[idx]
            assert isinstance(analyzer, FileAnalyzer)
            ctx = ScanContext(root=proto.root, show_secrets=proto.show_secrets, offline=proto.offline)
            t0 = time.perf_counter()
            emitted = isolate(analyzer, shared, ctx)
            o = out[idx]
            o.seconds += time.perf_counter() - t0
            o.files += 1
            o.emitted.extend(emitted)
            o.absorb(ctx)
    return dict(out)


WorkItem = tuple[SourceFile, tuple[int, ...]]


class _Dispatcher:
    """Runs chunks of per-file work as the walk produces them.

    Work is held back until there is enough of it to pay for worker processes (PARALLEL_MIN_*); from then on a
    forked pool analyzes chunks while the parent keeps walking, so listing the tree overlaps with analysis.
    Below the threshold everything runs in this process.
    """

    def __init__(self, analyzers: Sequence[Analyzer], proto: ScanContext, n_jobs: int, progress: Progress | None):
        self.analyzers = analyzers
        self.proto = proto
        self.n_jobs = n_jobs
        self.progress = progress
        self.outcomes: dict[int, _Outcome] = {i: _Outcome() for i in range(len(analyzers))}
        self.held: list[list[WorkItem]] = []
        self.held_bytes = 0
        self.held_files = 0
        self.current: list[WorkItem] = []
        self.current_bytes = 0
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[tuple[Future[dict[int, _Outcome]], int]] = []
        self.total = 0
        self.done = 0

    def add(self, item: WorkItem) -> None:
        self.current.append(item)
        self.current_bytes += item[0].size
        self.total += 1
        if self.current_bytes >= CHUNK_BYTES or len(self.current) >= CHUNK_FILES:
            self._flush()

    def _flush(self) -> None:
        if not self.current:
            return
        chunk, size = self.current, self.current_bytes
        self.current, self.current_bytes = [], 0
        if self.pool is not None:
            self.futures.append((self.pool.submit(_run_chunk, chunk), len(chunk)))
            return
        self.held.append(chunk)
        self.held_bytes += size
        self.held_files += len(chunk)
        enough = self.held_bytes >= PARALLEL_MIN_BYTES or self.held_files >= PARALLEL_MIN_FILES
        if enough and self.n_jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
            self._start_pool()

    def _start_pool(self) -> None:
        global _WORKER_ANALYZERS, _WORKER_CONTEXT
        _WORKER_ANALYZERS, _WORKER_CONTEXT = self.analyzers, self.proto
        self.pool = ProcessPoolExecutor(max_workers=self.n_jobs, mp_context=multiprocessing.get_context("fork"))
        held, self.held = self.held, []
        for chunk in held:
            self.futures.append((self.pool.submit(_run_chunk, chunk), len(chunk)))

    def abort(self) -> None:
        """The walk failed: stop the workers without waiting for their work."""
        global _WORKER_ANALYZERS, _WORKER_CONTEXT
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
        _WORKER_ANALYZERS, _WORKER_CONTEXT = (), None

    def _tick(self, n: int) -> None:
        self.done += n
        if self.progress:
            self.progress(self.done, self.total)

    def finish(self, project_work: Callable[[], None]) -> dict[int, _Outcome]:
        """Submit the rest, run the whole-project analyzers meanwhile, and collect everything."""
        global _WORKER_ANALYZERS, _WORKER_CONTEXT
        self._flush()
        if self.progress:
            self.progress(self.done, self.total)
        if self.pool is None:
            for chunk in self.held:
                for idx, o in _analyze_files(self.analyzers, chunk, self.proto).items():
                    self.outcomes[idx].merge(o)
                self._tick(len(chunk))
            project_work()
            return self.outcomes
        try:
            project_work()
            for fut, n in self.futures:
                for idx, o in fut.result().items():
                    self.outcomes[idx].merge(o)
                self._tick(n)
        finally:
            self.pool.shutdown(cancel_futures=True)
            _WORKER_ANALYZERS, _WORKER_CONTEXT = (), None
        return self.outcomes


def effective_jobs(jobs: int) -> int:
    return jobs if jobs > 0 else (os.cpu_count() or 1)


def run(
    target: ScanTarget,
    analyzers: Sequence[Analyzer],
    *,
    jobs: int = 0,
    show_secrets: bool = False,
    progress: Progress | None = None,
) -> EngineResult:
    """Run every analyzer over the files it wants and collect the results."""
    proto = ScanContext(root=target.root, show_secrets=show_secrets)
    dispatcher = _Dispatcher(analyzers, proto, effective_jobs(jobs), progress)
    files: list[SourceFile] = []
    work_keys: list[tuple[str, str | None]] = []
    project_files: dict[int, list[SourceFile]] = {i: [] for i, a in enumerate(analyzers) if not a.per_file}
    try:
        for f in target.files():
            files.append(f)
            per_file: list[int] = []
            for i, a in enumerate(analyzers):
                if f.line_map is not None and not a.accepts_fragments:
                    continue
                if a.wants(f):
                    if a.per_file:
                        per_file.append(i)
                    else:
                        project_files[i].append(f)
            if per_file:
                dispatcher.add((f, tuple(per_file)))
                work_keys.append(_file_key(f))
    except BaseException:
        dispatcher.abort()
        raise
    outcomes = dispatcher.finish(lambda: _run_project_analyzers(analyzers, project_files, proto, dispatcher.outcomes))

    by_key = {_file_key(f): f for f in files}
    findings: list[Finding] = []
    suppressed: list[SuppressedFinding] = []
    runs: list[AnalyzerRun] = []
    skipped_binary: set[str] = set()
    metadata: dict[str, dict[str, Any]] = {}
    warnings: list[str] = []
    for i, a in enumerate(analyzers):
        o = outcomes[i]
        skipped_binary |= o.skipped_binary
        if o.metadata:
            metadata[a.id] = o.metadata
        warnings.extend(f"{a.id}: {w}" for w in o.warnings)
        for item in o.emitted:
            if isinstance(item, SuppressedFinding):
                suppressed.append(item)
            else:
                findings.append(item)
        runs.append(
            AnalyzerRun(
                id=a.id,
                version=a.version,
                files=o.files,
                duration=round(o.seconds, 6),
                errors=tuple(sorted(o.errors, key=lambda e: (e.path or "", e.message))),
            )
        )
    markers = {a.id: a.inline_markers for a in analyzers}
    findings, inline = apply_inline_suppressions(findings, by_key, markers)
    suppressed.extend(inline)
    order = _commit_order(files)
    if order:
        findings = keep_introducing_commit(findings, order, lambda f: f)
        suppressed = keep_introducing_commit(suppressed, order, lambda s: s.finding)
    findings, suppressed = unique_fingerprints(findings, suppressed)
    scanned = set(work_keys) | {_file_key(f) for fs in project_files.values() for f in fs}
    warnings.extend(target.warnings())
    base = target.stats()
    stats = replace(
        base,
        files_scanned=len([k for k in scanned if k[0] not in skipped_binary]),
        skipped_binary=len(skipped_binary),
        bytes_scanned=sum(by_key[k].size for k in scanned if k[0] not in skipped_binary and k in by_key),
    )
    return EngineResult(
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        suppressed=tuple(sorted(suppressed, key=lambda s: s.finding.sort_key())),
        runs=tuple(runs),
        stats=stats,
        metadata=metadata,
        warnings=tuple(warnings),
    )


def _run_project_analyzers(
    analyzers: Sequence[Analyzer],
    project_files: dict[int, list[SourceFile]],
    proto: ScanContext,
    outcomes: dict[int, _Outcome],
) -> None:
    for idx, files in project_files.items():
        a = analyzers[idx]
        ctx = ScanContext(root=proto.root, show_secrets=proto.show_secrets, offline=proto.offline)
        t0 = time.perf_counter()
        emitted: list[Emitted] = []
        try:
            emitted = list(a.analyze(files, ctx))
        except Exception as exc:  # noqa: BLE001 - one broken analyzer is reported; the others still ran
            ctx.record_internal_error(None, f"{type(exc).__name__}: {exc}")
        o = outcomes[idx]
        o.seconds += time.perf_counter() - t0
        o.files += len(files)
        o.emitted.extend(emitted)
        o.absorb(ctx)


# garrison:ignore            -> every finding on the line
# garrison:ignore RULE[,RULE] [reason…]   -> those rules (fnmatch-style * allowed)
# garrison:allow             -> every finding on the line (secrets-scanner habit)
_MARKER = re.compile(r"garrison:(ignore|allow)\b(?:[ \t]*[:=]?[ \t]*([A-Za-z0-9_.*\-/,]+))?[ \t]*(.*)")


def _line_of(file: SourceFile, line: int, cache: dict[FileKey, list[str]]) -> str:
    key = _file_key(file)
    lines = cache.get(key)
    if lines is None:
        try:
            lines = file.read_bytes().decode("utf-8", "replace").splitlines()
        except Exception:  # noqa: BLE001 - an unreadable file simply has no markers
            lines = []
        cache[key] = lines
    idx = file.content_line(line)  # fragments (history, staged) hold only some of the file's lines
    return lines[idx - 1] if idx is not None and 0 < idx <= len(lines) else ""


FileKey = tuple[str, str | None]


def _file_key(file: SourceFile) -> FileKey:
    """Files are told apart by path and commit: a history scan sees one path in many commits."""
    return (file.path, file.commit.sha if file.commit else None)


def _commit_order(files: Sequence[SourceFile]) -> dict[str, int]:
    """Position of each commit in the target's order (targets yield commits oldest first)."""
    order: dict[str, int] = {}
    for f in files:
        if f.commit is not None and f.commit.sha not in order:
            order[f.commit.sha] = len(order)
    return order


def keep_introducing_commit(items: list[T], order: dict[str, int], finding_of: Callable[[T], Finding]) -> list[T]:
    """Deduplicate across commits: of the findings that share a fingerprint, keep those of the commit that
    introduced the problem (the earliest in ``order``); repeats within that commit are kept."""
    first: dict[str, int] = {}
    for item in items:
        f = finding_of(item)
        commit = f.location.commit
        if commit is None:
            continue
        pos = order.get(commit.sha, len(order))
        if pos < first.get(f.fingerprint, len(order) + 1):
            first[f.fingerprint] = pos
    out: list[T] = []
    for item in items:
        f = finding_of(item)
        commit = f.location.commit
        if commit is None or order.get(commit.sha, len(order)) == first.get(f.fingerprint):
            out.append(item)
    return out


def _rule_matches(pattern: str, rule_id: str) -> bool:
    if "*" in pattern:
        return re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), rule_id) is not None
    return pattern == rule_id


def apply_inline_suppressions(
    findings: Iterable[Finding],
    files: dict[FileKey, SourceFile] | dict[str, SourceFile],
    extra_markers: dict[str, tuple[str, ...]],
) -> tuple[list[Finding], list[SuppressedFinding]]:
    """Suppress findings whose line carries ``garrison:ignore``/``garrison:allow`` (or an analyzer's marker).

    ``files`` is keyed by ``(path, commit sha or None)`` (or by path alone, for callers without commits).
    """
    kept: list[Finding] = []
    dropped: list[SuppressedFinding] = []
    cache: dict[FileKey, list[str]] = {}
    for f in findings:
        loc = f.location
        src: SourceFile | None = None
        if loc.path:
            key = (loc.path, loc.commit.sha if loc.commit else None)
            src = files.get(key) or files.get(loc.path)  # type: ignore[call-overload]
        if src is None or loc.line is None:
            kept.append(f)
            continue
        text = _line_of(src, loc.line, cache)
        reason = _inline_reason(text, f, extra_markers.get(f.analyzer, ()))
        if reason is None:
            kept.append(f)
        else:
            dropped.append(
                SuppressedFinding(f, Suppression(kind="inline", reason=reason, source=f"{loc.path}:{loc.line}"))
            )
    return kept, dropped


def _inline_reason(text: str, finding: Finding, extra: tuple[str, ...]) -> str | None:
    if "garrison:" in text:
        m = _MARKER.search(text)
        if m:
            verb, ids, rest = m.group(1), m.group(2), (m.group(3) or "").strip()
            if verb == "allow" or not ids:
                return " ".join(filter(None, [ids, rest])) or f"inline garrison:{verb}"
            if any(_rule_matches(p, finding.rule.id) for p in ids.split(",") if p):
                return rest or f"inline garrison:ignore {ids}"
    for marker in extra:
        if marker in text:
            return f"inline {marker}"
    return None


def unique_fingerprints(
    findings: list[Finding], suppressed: list[SuppressedFinding]
) -> tuple[list[Finding], list[SuppressedFinding]]:
    """Number repeated fingerprints in order of location so every finding's fingerprint is unique."""
    everything: list[tuple[Finding, int, int]] = [(f, 0, i) for i, f in enumerate(findings)]
    everything += [(s.finding, 1, i) for i, s in enumerate(suppressed)]
    groups: dict[str, list[tuple[Finding, int, int]]] = defaultdict(list)
    for item in everything:
        groups[item[0].fingerprint].append(item)
    new_findings = list(findings)
    new_suppressed = list(suppressed)
    for fp, items in groups.items():
        if len(items) < 2:
            continue
        items.sort(key=lambda t: _position(t[0]))
        for n, (f, which, i) in enumerate(items):
            if n == 0:
                continue
            g = f.with_fingerprint(disambiguate(fp, n))
            if which == 0:
                new_findings[i] = g
            else:
                new_suppressed[i] = replace(new_suppressed[i], finding=g)
    return new_findings, new_suppressed


def _position(f: Finding) -> tuple[str, str, int, int, str]:
    loc = f.location
    r = loc.region
    return (
        loc.commit.date if loc.commit else "",
        loc.path or "",
        r.start_line if r else 0,
        (r.start_column or 0) if r else 0,
        f.message,
    )
