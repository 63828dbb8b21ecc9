"""``garrison hunt`` as a library call: rules + logs -> alerts, correlation alerts, coverage, input stats.

The loop: expand inputs -> pick each input's source -> stream events -> Detector.match -> alerts (and, for rules
that correlations reference, the fields they need) -> correlations -> coverage. With ``jobs > 1`` inputs (and
large line-oriented files, split at line boundaries) are processed by forked workers that share the compiled
ruleset; results are merged in input order, so the output does not depend on ``jobs``.
"""

from __future__ import annotations

import gc
import io
import os
import pickle
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from garrison.core.alert import Alert, MatchedEvent, MatchedSelection, new_alert
from garrison.core.errors import UsageError
from garrison.core.frozen import FrozenDict
from garrison.detect import correlate
from garrison.detect import pipelines as pl
from garrison.detect import sources as src
from garrison.detect.cache import RulesetCache
from garrison.detect.coverage import CoverageReport, build_coverage
from garrison.detect.detector import Detector, explain
from garrison.detect.event import Event, format_timestamp
from garrison.detect.load import LoadInfo, load_ruleset, save_variants
from garrison.detect.regex import RegexTimeouts
from garrison.detect.ruleset import LEVELS
from garrison.detect.sources.base import READ_ERRORS, SourceStats

#: line-oriented inputs larger than this are split across workers
SPLIT_MIN = 8 * 1024 * 1024
SPLITTABLE = frozenset({"jsonl", "ecs", "k8s-audit", "zeek", "suricata", "syslog", "weblog"})
HOST_FIELDS = ("Computer", "host", "host.name", "hostname", "winlog.computer_name", "node", "sourceIPAddress")
MAX_STDIN_EVTX = 1024 * 1024 * 1024
#: with --jobs > 1: events the parent matches first (per input / in all) so workers inherit built routes
WARM_EVENTS = 4_000
WARM_TOTAL = 8_000
#: a route still learning after the warm-up settles its literal choice if it saw at least this many events
WARM_MIN_LEARN = 500


@dataclass(frozen=True)
class HuntRequest:
    rules: tuple[Path, ...]
    logs: tuple[str, ...]
    pipelines: tuple[str, ...] = ()
    input_format: str | None = None
    jobs: int = 1
    min_level: str | None = None
    cache: bool = True
    cache_dir: Path | None = None


@dataclass
class HuntOutcome:
    alerts: list[Alert]
    inputs: list[SourceStats]
    coverage: CoverageReport
    load: LoadInfo
    events: int
    seconds: float
    warnings: list[str] = field(default_factory=list)
    no_timestamp: int = 0
    rules_meta: Sequence[dict[str, Any]] = ()


@dataclass(frozen=True)
class _Task:
    inp: src.LogInput
    fmt: str | None
    start: int = 0
    end: int = -1
    part: int = 0


@dataclass
class _Partial:
    stats: SourceStats
    alerts: list[Alert]
    corr: list[correlate.CorrEvent]
    events: int
    ran: dict[int, int]
    variant_unsupported: dict[int, str]
    variants: dict[str, dict[int, dict[str, Any]]]
    #: regular-expression evaluations that hit the time bound while matching this task's events
    regex_timeouts: int = 0


def run_hunt(req: HuntRequest) -> HuntOutcome:
    t0 = time.perf_counter()
    if req.input_format is not None and req.input_format != "auto" and req.input_format not in src.FORMATS:
        raise UsageError(f"unknown input format {req.input_format!r} (available: auto, {', '.join(src.available())})")
    if req.min_level is not None and req.min_level not in LEVELS:
        raise UsageError(f"unknown level {req.min_level!r} (expected one of: {', '.join(LEVELS)})")
    extra = tuple(pl.resolve(p) for p in req.pipelines)
    cache = RulesetCache(req.cache_dir) if req.cache else None
    rs, info = load_ruleset(req.rules, cache=cache)
    inputs = src.expand(req.logs)
    det = Detector(rs, extra)
    fmt = None if req.input_format in (None, "auto") else req.input_format
    tasks = _plan(inputs, fmt, req.jobs)
    need = correlate.needed_fields(rs.correlations)
    global _STATE
    _STATE = (det, need)
    partials: list[_Partial]
    jobs = max(1, req.jobs)
    if jobs > 1 and len(tasks) > 1:
        import multiprocessing as mp

        # build the routes the data needs (their rules' matchers, prefilter databases, literal choices) once,
        # before forking: the workers share them (copy-on-write) instead of each building them again
        _warm_up(det, tasks)
        ctx = mp.get_context("fork")
        gc.freeze()  # the collector in each worker would otherwise touch (and so copy) every shared object
        partials = []
        try:
            with ctx.Pool(processes=jobs) as pool:
                for blob in pool.imap(_run_task_pickled, tasks, chunksize=1):
                    partials.append(_unpickle(blob))
        finally:
            gc.unfreeze()
    else:
        partials = [_run_task(t) for t in tasks]
    _STATE = None
    stats = _merge_stats(partials)
    alerts: list[Alert] = []
    corr_events: list[correlate.CorrEvent] = []
    ran: dict[int, int] = {}
    vun: dict[int, str] = {}
    events = 0
    for p in partials:
        alerts.extend(p.alerts)
        events += p.events
        for ce in p.corr:
            ce.seq = len(corr_events)
            corr_events.append(ce)
        for k, v in p.ran.items():
            ran[k] = ran.get(k, 0) + v
        for k, r in p.variant_unsupported.items():
            vun.setdefault(k, r)
        for vk, table in p.variants.items():
            for i, ir in table.items():
                if i not in rs.variants.setdefault(vk, {}):
                    rs.variants[vk][i] = ir
                    rs.dirty = True
    timeouts = sum(p.regex_timeouts for p in partials)
    outcome_corr = correlate.run(rs.correlations, rs.meta, corr_events)
    alerts.extend(outcome_corr.alerts)
    if req.min_level is not None:
        floor = LEVELS.index(req.min_level)
        alerts = [a for a in alerts if LEVELS.index(a.level) >= floor]
    alerts.sort(key=lambda a: a.sort_key())
    save_variants(rs, cache)
    coverage = build_coverage(rs, ran, vun)
    warnings: list[str] = []
    if info.cache_warning:
        warnings.append(info.cache_warning)
    if outcome_corr.no_timestamp:
        warnings.append(
            f"{outcome_corr.no_timestamp} matched event(s) have no timestamp and were left out of correlations"
        )
    if timeouts:
        warnings.append(f"{timeouts} regular-expression evaluation(s) hit the time bound and counted as no match")
    return HuntOutcome(
        alerts,
        stats,
        coverage,
        info,
        events,
        time.perf_counter() - t0,
        warnings,
        outcome_corr.no_timestamp,
        rs.meta,
    )


_STATE: tuple[Detector, dict[int, set[str]]] | None = None


def _warm_up(det: Detector, tasks: Sequence[_Task]) -> None:
    """Match the first events of each input in the parent, results discarded, before workers fork.

    A route (the rules of one kind of event, their closures under its pipeline variant, its prefilter database and
    the literal choice it learns over its first events) is otherwise built by every worker again. Routes still
    learning after the warm-up re-pick their literals from what they saw, if they saw enough."""
    budget = WARM_TOTAL
    seen: set[str] = set()
    for t in tasks:
        if budget <= 0:
            break
        if t.inp.path == "-" or t.inp.path in seen:
            continue
        seen.add(t.inp.path)
        n = 0
        limit = min(WARM_EVENTS, budget)
        for ev in _events(_Task(t.inp, t.fmt), SourceStats(t.inp.display)):
            det.match(ev)
            n += 1
            if n >= limit:
                break
        budget -= n
    det.settle_learning(WARM_MIN_LEARN)


def _plan(inputs: Sequence[src.LogInput], fmt: str | None, jobs: int) -> list[_Task]:
    tasks: list[_Task] = []
    for inp in inputs:
        if jobs > 1 and inp.path != "-":
            try:
                size = os.path.getsize(inp.path)
            except OSError:
                size = 0
            if size >= SPLIT_MIN:
                kind = fmt
                if kind is None:
                    with open(inp.path, "rb") as fh:
                        head = fh.read(src.HEAD)
                    kind = None if head[:2] == b"\x1f\x8b" else src.detect(head, inp.path)
                if kind in SPLITTABLE:
                    step = size // jobs + 1
                    for k in range(jobs):
                        tasks.append(_Task(inp, kind, k * step, min(size, (k + 1) * step), k))
                    continue
        tasks.append(_Task(inp, fmt))
    return tasks


def _merge_stats(partials: list[_Partial]) -> list[SourceStats]:
    merged: dict[str, SourceStats] = {}
    order: list[str] = []
    for p in partials:
        s = p.stats
        m = merged.get(s.origin)
        if m is None:
            merged[s.origin] = s
            order.append(s.origin)
            continue
        m.events += s.events
        m.corrupt += s.corrupt
        m.corrupt_samples = (m.corrupt_samples + s.corrupt_samples)[:20]
        m.error = m.error or s.error
    return [merged[o] for o in order]


def _run_task(task: _Task) -> _Partial:
    assert _STATE is not None
    det, need = _STATE
    det.reset_counts()
    timeouts_before = RegexTimeouts.count  # per task (workers' counts would otherwise never reach the parent)
    stats = SourceStats(task.inp.display)
    alerts: list[Alert] = []
    corr: list[correlate.CorrEvent] = []
    n = 0
    meta = det.ruleset.meta
    for ev in _events(task, stats):
        n += 1
        hits = det.match(ev)
        if not hits:
            continue
        mev = matched_event(ev)  # one copy of the event, shared by every alert about it
        host = _host(ev)
        for c in hits:
            m = meta[c.index]
            if m["output"]:
                sels = tuple(MatchedSelection(name, flds) for name, flds in explain(c, ev))
                alerts.append(
                    new_alert(kind="detection", meta=m, events=(mev,), timestamp=mev.timestamp, host=host, matched=sels)
                )
            wanted = need.get(c.index)
            if wanted is not None:
                values = {f: ev.fields.get(f) for f in wanted}
                corr.append(correlate.CorrEvent(c.index, ev.timestamp, 0, values, (mev,), host))
    stats.events = n
    cov = det.finish_coverage()
    variants = {k: dict(v) for k, v in det.ruleset.variants.items()} if _in_worker() else {}
    timeouts = RegexTimeouts.count - timeouts_before
    return _Partial(stats, alerts, corr, n, dict(cov.ran), dict(cov.variant_unsupported), variants, timeouts)


def _run_task_pickled(task: _Task) -> bytes:
    """A worker's result as bytes: pickled here rather than by the pool, so that the parent can unpickle it
    with the cyclic collector paused (100,000 alerts took 4x longer to unpickle with it running)."""
    return pickle.dumps(_run_task(task), protocol=pickle.HIGHEST_PROTOCOL)


def _unpickle(blob: bytes) -> _Partial:
    enabled = gc.isenabled()
    gc.disable()
    try:
        part: _Partial = pickle.loads(blob)
    finally:
        if enabled:
            gc.enable()
    return part


def _in_worker() -> bool:
    import multiprocessing as mp

    return mp.parent_process() is not None


def matched_event(ev: Event) -> MatchedEvent:
    fields = {k: v for k, v in ev.fields.items() if v is not None}
    return MatchedEvent(ev.origin, ev.position, format_timestamp(ev.timestamp), FrozenDict(fields))


def _host(ev: Event) -> str | None:
    for k in HOST_FIELDS:
        v = ev.fields.get(k)
        if isinstance(v, str) and v:
            return v
    return None


def _events(task: _Task, stats: SourceStats) -> Iterator[Event]:
    inp = task.inp
    if task.end >= 0:
        yield from _range_events(task, stats)
        return
    try:
        stream, head = src.open_input(inp)
    except Exception as exc:  # noqa: BLE001 - one unreadable input is recorded, the hunt goes on
        stats.error = getattr(exc, "message", None) or str(exc)
        return
    with stream:
        fmt = task.fmt or src.detect(head, inp.path)
        if fmt is None:
            stats.error = "unknown log format (use --input-format)"
            return
        stats.format = fmt
        source = src.get_source(fmt)
        if fmt == "evtx":
            yield from _evtx_events(inp, head, stream, stats)
            return
        try:
            yield from source.records(stream, inp.display, stats)
        except READ_ERRORS as exc:
            stats.error = f"read error after {stats.corrupt} corrupt record(s): {exc}"


def _evtx_events(inp: src.LogInput, head: bytes, stream: IO[bytes], stats: SourceStats) -> Iterator[Event]:
    """EVTX needs random access: the file itself when it is a plain file, else a temporary spool."""
    from garrison.detect.sources.windows import EvtxSource

    if inp.path != "-":
        with open(inp.path, "rb") as fh:
            if fh.read(8) == b"ElfFile\x00":
                fh.seek(0)
                yield from EvtxSource().records(fh, inp.display, stats)
                return
    with tempfile.TemporaryFile() as spool:
        total = 0
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > MAX_STDIN_EVTX:
                stats.error = "compressed or piped EVTX larger than 1 GiB; decompress it to a file first"
                return
            spool.write(chunk)
        spool.seek(0)
        yield from EvtxSource().records(spool, inp.display, stats)


def _range_events(task: _Task, stats: SourceStats) -> Iterator[Event]:
    assert task.fmt is not None
    stats.format = task.fmt
    with open(task.inp.path, "rb") as fh:
        line_base = 0
        if task.start > 0:
            fh.seek(task.start - 1)
            if fh.read(1) != b"\n":
                fh.readline()
            begin = fh.tell()
            fh.seek(0)
            remaining = begin
            while remaining > 0:
                chunk = fh.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                line_base += chunk.count(b"\n")
                remaining -= len(chunk)
            fh.seek(begin)
        else:
            begin = 0
        stream = io.BufferedReader(_RangeRaw(fh, task.end - begin), buffer_size=1 << 16)
        stats.line_base = line_base
        yield from src.get_source(task.fmt).records(stream, task.inp.display, stats)


class _RangeRaw(io.RawIOBase):
    """Bytes from the current position up to ``limit``, then up to and including the next newline."""

    def __init__(self, fh: IO[bytes], limit: int) -> None:
        self.fh = fh
        self.left = max(0, limit)
        self.tail = False
        self.done = self.left == 0
        self.last = b"\n"

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(b)
        if self.done:
            return 0
        if self.left > 0:
            data = self.fh.read(min(len(view), self.left))
            if not data:
                self.done = True
                return 0
            self.left -= len(data)
            self.last = data[-1:]
            if self.left == 0 and self.last == b"\n":
                self.done = True
        else:
            line = self.fh.readline(len(view))
            if not line:
                self.done = True
                return 0
            data = line
            if line.endswith(b"\n"):
                self.done = True
        view[: len(data)] = data
        return len(data)
