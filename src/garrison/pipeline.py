"""The main loop in one place: config → analyzers → engine → waivers → baseline → gate → Report + Decision.

The CLI (and later the server and other front ends) call :func:`run_scan`; nothing here prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from garrison import __version__
from garrison.core.config import DEFAULT_WAIVERS, Config
from garrison.core.frozen import FrozenDict
from garrison.core.report import Report
from garrison.core.severity import Severity
from garrison.policy.baseline import apply_baseline, load_baseline
from garrison.policy.cel import compile_condition
from garrison.policy.gate import Decision, GatePolicy, evaluate
from garrison.policy.waivers import apply_waivers, load_waivers
from garrison.scan import engine, registry
from garrison.scan.analyzer import Analyzer
from garrison.scan.engine import Progress
from garrison.scan.target import DirectoryTarget, ScanTarget

_UNSET: Any = object()


@dataclass(frozen=True, slots=True)
class ScanRequest:
    path: Path
    config: Config = Config()
    analyzers: Sequence[str] = ()  # --analyzer: only these
    skip: Sequence[str] = ()  # --skip
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # CLI-level analyzer options
    fail_on: Severity | None = _UNSET  # --fail-on overrides [gate] fail_on (None = never on severity)
    conditions: Sequence[str] = ()  # --condition, added to [gate] conditions
    waivers: Path | None = None  # --waivers (must exist); else [gate] waivers or .garrison/waivers.yaml if present
    baseline: Path | None = None  # --baseline; else [gate] baseline
    use_baseline: bool = True  # False for `baseline create`
    jobs: int | None = None
    show_secrets: bool = False
    timestamps: bool = False
    today: dt.date | None = None
    target: ScanTarget | None = None  # a non-directory target (staged, git history, …)
    progress: Progress | None = None


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    report: Report
    decision: Decision


def _merge_options(
    config_opts: Mapping[str, Mapping[str, Any]], cli_opts: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    merged = {k: dict(v) for k, v in config_opts.items()}
    for k, v in cli_opts.items():
        merged.setdefault(k, {}).update(v)
    return merged


def _base_dir(req: ScanRequest) -> Path:
    if req.config.source:
        return Path(req.config.source).parent
    return req.path if req.path.is_dir() else req.path.parent


def build_analyzers(req: ScanRequest) -> list[Analyzer]:
    ids = registry.selected_ids(req.config.analyzers, req.analyzers, req.skip)
    opts = _merge_options(req.config.analyzers.options, req.options)
    return registry.build(ids, opts, source=req.config.source)


def gate_policy(req: ScanRequest) -> GatePolicy:
    gate = req.config.gate
    fail_on = gate.fail_on if req.fail_on is _UNSET else req.fail_on
    conds = [
        compile_condition(c, where=f"gate.conditions[{i}]", source=req.config.source)
        for i, c in enumerate(gate.conditions)
    ]
    conds += [compile_condition(c, where="--condition", source=None) for c in req.conditions]
    return GatePolicy(fail_on=fail_on, conditions=tuple(conds))


def run_scan(req: ScanRequest) -> ScanOutcome:
    base = _base_dir(req)
    # Everything the user gave us is validated before any file is read.
    policy = gate_policy(req)
    analyzers = build_analyzers(req)
    waivers_path = req.waivers
    if waivers_path is None:
        configured = req.config.gate.waivers
        if configured:
            waivers_path = base / configured
        elif (base / DEFAULT_WAIVERS).is_file():
            waivers_path = base / DEFAULT_WAIVERS
    waivers = load_waivers(waivers_path) if waivers_path is not None else []
    baseline_path = req.baseline
    if baseline_path is None and req.config.gate.baseline:
        baseline_path = base / req.config.gate.baseline
    baseline = load_baseline(baseline_path) if (baseline_path is not None and req.use_baseline) else None

    target = req.target or DirectoryTarget(req.path, req.config.scan)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds") if req.timestamps else None
    result = engine.run(
        target,
        analyzers,
        jobs=req.jobs if req.jobs is not None else req.config.scan.jobs,
        show_secrets=req.show_secrets,
        progress=req.progress,
    )

    warnings: list[str] = list(result.warnings)
    findings = result.findings
    suppressed = list(result.suppressed)
    if waivers_path is not None:
        shown = _display(waivers_path, base)
        w = apply_waivers(findings, waivers, today=req.today or dt.date.today(), waivers_path=shown)
        findings = w.findings
        suppressed.extend(w.suppressed)
        warnings += [f"waiver {x.id!r} in {shown} expired on {x.expires.isoformat()}" for x in w.expired]
        warnings += [f"waiver {x.id!r} in {shown} matched no finding" for x in w.unused]
    if baseline is not None:
        findings, known = apply_baseline(findings, baseline)
        suppressed.extend(known)
    for run in result.runs:
        if run.failed:
            warnings.append(f"analyzer {run.id!r} failed; its results are incomplete")

    report = Report(
        target=target.describe(),
        tool_version=__version__,
        analyzers=result.runs,
        findings=tuple(sorted(findings, key=lambda f: f.sort_key())),
        suppressed=tuple(sorted(suppressed, key=lambda s: s.finding.sort_key())),
        stats=result.stats,
        warnings=tuple(warnings),
        metadata=FrozenDict(result.metadata),
        started_at=started,
    )
    return ScanOutcome(report=report, decision=evaluate(report.findings, policy))


def _display(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
