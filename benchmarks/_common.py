"""Helpers shared by the benchmark scripts (timing, medians, peak RSS of a child process)."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "build" / "bench"


def garrison_cmd() -> list[str]:
    """The installed ``garrison`` next to this interpreter (falls back to ``python -m garrison``)."""
    exe = Path(sys.executable).with_name("garrison")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "garrison"]


def run_timed(cmd: Sequence[str], *, ok: Sequence[int] = (0,), env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in ok:
        raise SystemExit(
            f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode()[-2000:]}"
        )
    return elapsed


def median_of(n: int, cmd: Sequence[str], **kw: object) -> tuple[float, list[float]]:
    times = [run_timed(cmd, **kw) for _ in range(n)]  # type: ignore[arg-type]
    return statistics.median(times), times


def peak_rss_mb(cmd: Sequence[str], *, ok: Sequence[int] = (0,)) -> float:
    """Peak resident memory of a child process (ru_maxrss of the waited child)."""
    pid = os.fork()
    if pid == 0:  # child
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        try:
            os.execvp(cmd[0], list(cmd))
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        raise SystemExit(f"benchmark command failed ({code}): {' '.join(cmd)}")
    return usage.ru_maxrss / 1024  # Linux reports KiB


def report(name: str, value: float, unit: str, goal: str = "") -> None:
    line = f"{name:<58} {value:>10.3f} {unit}"
    if goal:
        line += f"   (goal {goal})"
    print(line, flush=True)


def machine() -> str:
    return f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load {os.getloadavg()[0]:.2f}"


_ = resource  # resource is imported so `ru_maxrss` semantics are documented next to its use


def reference_seconds(runs: int = 3) -> float:
    """CPU seconds of a fixed pure-Python workload (dict stores, 5 million), median of ``runs``.

    The shared machines these benchmarks run on change speed by tens of percent within minutes (other tenants of
    the host); printing this beside a CPU-bound figure shows how fast the machine was while it was measured (about
    0.35 s on a quiet one)."""
    times = []
    for _ in range(runs):
        t0 = time.process_time()
        d: dict[int, int] = {}
        for i in range(5_000_000):
            d[i % 1000] = i
        times.append(time.process_time() - t0)
    return statistics.median(times)


def ensure_bytecode() -> None:
    """Write bytecode for Garrison's (editable) sources, as ``pip install`` does for a normal install: where
    PYTHONDONTWRITEBYTECODE is set, every timed CLI run would otherwise recompile ~60 modules (~0.08 s)."""
    import compileall

    compileall.compile_dir(str(REPO / "src"), quiet=2)


def memory_reference() -> float:
    """CPU seconds of 2 million random lookups in a 2-million-entry dict (a working set far beyond the CPU caches,
    like a hunt's compiled ruleset): bound by memory latency rather than by the interpreter."""
    import random

    d = {i: str(i) for i in range(2_000_000)}
    rnd = random.Random(1)
    keys = [rnd.randrange(2_000_000) for _ in range(2_000_000)]
    t0 = time.process_time()
    total = 0
    for k in keys:
        total += len(d[k])
    return time.process_time() - t0


def _memory_reference_once(_: int) -> float:
    return memory_reference()


def parallel_ceiling(processes: int = 2) -> tuple[float, float]:
    """(seconds alone, seconds per process with ``processes`` at once) of :func:`memory_reference`, medians of 3.

    Shows how much busy processes slow each other down on this machine at that moment (shared physical cores,
    memory bandwidth; it changes from minute to minute on a shared host): ``processes * alone / each`` is the
    ceiling of any ``--jobs`` speed-up measured at the same time."""
    import multiprocessing as mp

    alone, each = [], []
    with mp.get_context("fork").Pool(processes) as pool:
        for _ in range(3):
            alone.append(memory_reference())
            each.append(statistics.mean(pool.map(_memory_reference_once, range(processes))))
    return statistics.median(alone), statistics.median(each)
