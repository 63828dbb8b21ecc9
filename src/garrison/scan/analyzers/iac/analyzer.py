"""The ``iac`` analyzer: a whole-project analyzer (Terraform modules and the reference graph span files).

Stages: read → parse (per format, per file; failures are recorded against the file) → evaluate Terraform
modules → build the reference graph → run every applicable check on every resource (a broken check is
reported once and the others go on) → apply inline suppressions inside each resource's lines.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from garrison.core.errors import FileSkipped
from garrison.core.finding import (
    Finding,
    FindingKind,
    Location,
    Region,
    Rule,
    SuppressedFinding,
    Suppression,
    new_finding,
)
from garrison.core.options import Options
from garrison.scan.analyzer import Analyzer, Emitted, ScanContext
from garrison.scan.analyzers.iac.checks import builtin_checks
from garrison.scan.analyzers.iac.checks.base import Check, Fail, normalise
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import Resource
from garrison.scan.analyzers.iac.parsers import load
from garrison.scan.analyzers.iac.suppress import markers_in, matching
from garrison.scan.source import SourceFile

ANALYZER_ID = "iac"
PLATFORMS = ("terraform", "cloudformation", "kubernetes", "dockerfile", "compose")


class IacAnalyzer(Analyzer):
    id = ANALYZER_ID
    version = "1.0.0"
    title = "Infrastructure-as-code misconfigurations (Terraform, CloudFormation, Kubernetes, Dockerfile, Compose)"

    def configure(self, options: Options) -> None:
        from garrison.scan.analyzers.iac.custom import entry_point_checks, load_custom_checks

        platforms = options.strings("platforms", list(PLATFORMS))
        for p in platforms:
            if p not in PLATFORMS:
                raise options.error("platforms", f"unknown platform {p!r} (one of {', '.join(PLATFORMS)})")
        self.platforms = frozenset(platforms)
        self.skip_checks = frozenset(options.strings("skip_checks"))
        checks: list[Check] = list(builtin_checks())
        custom_dir = options.string("custom_checks")
        if custom_dir:
            base = Path(options.source).parent if options.source else Path.cwd()
            directory = Path(custom_dir) if os.path.isabs(custom_dir) else base / custom_dir
            checks += load_custom_checks(directory, {c.id for c in checks})
        plugin_checks, self.plugin_errors = entry_point_checks({c.id for c in checks})
        checks += plugin_checks
        self.checks = tuple(c for c in checks if c.id not in self.skip_checks)
        self._by_type: dict[str, list[Check]] = {}
        self._wildcard = [c for c in self.checks if "*" in c.applies_to]
        for c in self.checks:
            for t in c.applies_to:
                self._by_type.setdefault(t, []).append(c)

    def rules(self) -> Sequence[Rule]:
        return [c.rule() for c in self.checks]

    def wants(self, file: SourceFile) -> bool:
        kind = load.classify(file.path)
        return kind is not None and load.PLATFORM_OF[kind] in self.platforms

    def analyze(self, files: Sequence[SourceFile], ctx: ScanContext) -> Iterator[Emitted]:
        # Parsing and evaluation allocate millions of small, acyclic objects (syntax trees, attribute values,
        # findings): the cycle collector's full passes over them cost ~40% of a large scan and grow faster
        # than the input. Reference counting frees them; cycle collection resumes when the analyzer ends.
        paused = gc.isenabled()
        gc.disable()
        try:
            yield from self._analyze(files, ctx)
        finally:
            if paused:
                gc.enable()

    def _analyze(self, files: Sequence[SourceFile], ctx: ScanContext) -> Iterator[Emitted]:
        for message in self.plugin_errors:
            ctx.record_internal_error(None, message)
        texts: dict[str, str] = {}
        for f in files:
            try:
                texts[f.path] = f.read_text()
            except FileSkipped as exc:
                ctx.record_input_error(f.path, exc.message.removeprefix(f"{f.path}: "))
        result = load.load_resources(texts, ctx.record_input_error)
        resources = result.resources
        graph = Graph(resources)
        lines_cache: dict[str, list[str]] = {}
        rules = {c.id: c.rule() for c in self.checks}
        broken: set[str] = set()
        undecided = 0
        evaluations = 0
        from garrison.scan.analyzers.iac.checkov_map import checkov_to_garrison

        ckv_map = checkov_to_garrison()
        for r in resources:
            applicable = self._by_type.get(r.type, []) + self._wildcard
            if not applicable:
                continue
            markers = None
            for c in applicable:
                if c.id in broken:
                    continue
                evaluations += 1
                try:
                    fails, unsure = normalise(c.predicate(r, graph))
                except Exception as exc:  # noqa: BLE001 - one broken check is reported; the scan goes on
                    broken.add(c.id)
                    ctx.record_internal_error(
                        r.path, f"check {c.id} failed on {r.address}: {type(exc).__name__}: {exc}"
                    )
                    continue
                undecided += unsure
                for fail in fails:
                    finding = self._finding(c, rules[c.id], r, fail)
                    if markers is None:
                        lines = lines_cache.get(r.path)
                        if lines is None:
                            lines = texts.get(r.path, "").splitlines()
                            lines_cache[r.path] = lines
                        markers = markers_in(lines, r.start_line, r.end_line, ckv_map)
                    m = matching(markers, c.id) if markers else None
                    if m is None:
                        yield finding
                    else:
                        reason = m.reason or f"inline {m.via} suppression"
                        yield SuppressedFinding(
                            finding, Suppression(kind="inline", reason=reason, source=f"{r.path}:{m.line}")
                        )
        ctx.metadata.update(
            {
                "resources": len(resources),
                "resources_by_platform": dict(sorted(Counter(r.platform for r in resources).items())),
                "checks": len(self.checks),
                "evaluations": evaluations,
                "undecidable_evaluations": undecided,
                "undecidable_expansions": result.undecidable_expansions,
                "remote_modules_skipped": result.remote_modules,
            }
        )
        if result.remote_modules:
            ctx.warnings.append(
                f"{result.remote_modules} remote Terraform module call(s) not scanned (only local sources are followed)"
            )

    def _finding(self, c: Check, rule: Rule, r: Resource, fail: Fail) -> Finding:
        start = fail.line or r.start_line
        end = fail.end_line or (fail.line if fail.line else r.end_line)
        message = fail.message or c.title
        anchor = f"{c.id}|{r.address}" + (f"|{fail.key}" if fail.key else "")
        return new_finding(
            analyzer=ANALYZER_ID,
            kind=FindingKind.MISCONFIGURATION,
            rule=rule,
            location=Location(path=r.path, region=Region(start, end_line=max(end, start)), resource=r.address),
            message=f"{r.address}: {message}",
            anchor=anchor,
            evidence={"resource_type": r.type, "platform": r.platform},
        )
