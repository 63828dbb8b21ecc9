"""The ``secrets`` analyzer: leaked credentials in files, staged changes and git history."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from garrison.core.finding import Finding, FindingKind, Location, Region, Rule, new_finding
from garrison.core.fingerprint import value_anchor
from garrison.core.options import Options
from garrison.core.redact import redact
from garrison.core.severity import Severity
from garrison.scan.analyzer import FileAnalyzer, ScanContext
from garrison.scan.analyzers.secrets.catalogue import builtin_rules
from garrison.scan.analyzers.secrets.matcher import Hit, Matcher, ScanNotes, file_line
from garrison.scan.analyzers.secrets.model import RuleSet, SecretRule
from garrison.scan.source import SourceFile

ANALYZER_ID = "secrets"
#: an AWS secret key is paired with an access key id found within this many lines
PAIR_DISTANCE = 5
_BINARY_SUFFIXES = (
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".tif", ".tiff", ".webp", ".psd",
    ".woff", ".woff2", ".ttf", ".otf", ".eot",
    ".mp3", ".mp4", ".mov", ".avi", ".wav", ".flac", ".ogg", ".webm",
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx",
    ".exe", ".dll", ".so", ".dylib", ".o", ".a", ".class", ".pyc", ".pyo", ".wasm",
    ".zip", ".jar", ".war", ".whl", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".zst", ".7z", ".rar",
)  # fmt: skip


class SecretsAnalyzer(FileAnalyzer):
    id = ANALYZER_ID
    version = "1.0.0"
    title = "Leaked credentials: 150+ credential types, gitleaks-compatible rules, optional live verification"
    inline_markers: ClassVar[tuple[str, ...]] = ("gitleaks:allow",)
    accepts_fragments: ClassVar[bool] = True

    def configure(self, options: Options) -> None:
        self.config_path = options.string("config")
        self.verify = options.boolean("verify", False)
        self.verify_timeout = options.number("verify_timeout", 5.0)
        endpoints = options.raw("verify_endpoints", {})
        if not isinstance(endpoints, dict) or not all(isinstance(v, str) for v in endpoints.values()):
            raise options.error("verify_endpoints", "expected a table of provider = base URL")
        self.verify_endpoints: dict[str, str] = dict(endpoints)
        disabled = options.strings("disabled_rules")
        prefilter = options.string("prefilter", "auto") or "auto"
        if prefilter not in ("auto", "hyperscan", "portable"):
            raise options.error("prefilter", f"expected auto, hyperscan or portable, got {prefilter!r}")
        self.ruleset = self._load_rules()
        if disabled:
            known = {r.id for r in self.ruleset.rules} | {a for r in self.ruleset.rules for a in r.aliases}
            unknown = [d for d in disabled if d not in known]
            if unknown:
                raise options.error("disabled_rules", f"no such rule {unknown[0]!r}")
            gone = set(disabled)
            kept = [r for r in self.ruleset.rules if r.id not in gone and not gone & set(r.aliases)]
            dropped = {r.id for r in self.ruleset.rules} - {r.id for r in kept}
            for r in kept:
                needed = [q.rule_id for q in r.required if q.rule_id in dropped]
                if needed:
                    raise options.error(
                        "disabled_rules", f"rule {needed[0]!r} is required by the composite rule {r.id!r}"
                    )
            self.ruleset.rules = kept
        self.matcher = Matcher(self.ruleset, prefilter=prefilter)
        self._config_files = frozenset(
            os.path.realpath(p) for p in self.ruleset.config_paths if not p.startswith("garrison:")
        )
        self._metadata: dict[str, Any] = {
            "rules": len(self.ruleset.rules),
            "rule_source": self.config_path or "built-in catalogue",
            "prefilter": self.matcher.prefilter.name,
        }
        if any(r.regex is not None and r.regex.engine != "re2" for r in self.ruleset.rules):
            self._metadata["time_bounded_rules"] = sorted(
                r.id for r in self.ruleset.rules if r.regex is not None and r.regex.engine != "re2"
            )
        self._rules_by_id: dict[str, Rule] = {r.id: r.to_rule() for r in self.ruleset.rules}
        self._verify_cache: dict[tuple[str, str], dict[str, str]] = {}

    def _load_rules(self) -> RuleSet:
        if not self.config_path:
            return RuleSet(rules=list(builtin_rules()))
        from garrison.scan.analyzers.secrets.gitleaks import load_gitleaks_config

        return load_gitleaks_config(os.path.expanduser(self.config_path))  # one-line ConfigErrors

    # -- interface ---------------------------------------------------------------------------------
    def rules(self) -> Sequence[Rule]:
        return list(self._rules_by_id.values())

    def wants(self, file: SourceFile) -> bool:
        path = file.path
        return not (path.lower().endswith(_BINARY_SUFFIXES) or path.startswith(".git/"))

    def analyze_file(self, file: SourceFile, ctx: ScanContext) -> Iterator[Finding]:
        if not ctx.metadata:
            ctx.metadata.update(self._metadata)
            ctx.warnings.extend(self.ruleset.notes)
        if file.abspath is not None and self._config_files and os.path.realpath(file.abspath) in self._config_files:
            return  # the rule file itself is full of patterns, not secrets
        data = file.read_bytes()
        sha = file.commit.sha if file.commit else None
        notes = ScanNotes()
        hits = self.matcher.scan(
            data, file.path, sha, notes, line_map=file.line_map, usable=lambda aux: self._unmarked(file, aux, ctx)
        )
        for rule_id in notes.timeouts:
            ctx.record_input_error(file.path, f"rule {rule_id} exceeded its time bound; part of the file unchecked")
        if not hits:
            return
        paired = _pair_aws(hits)
        for hit in hits:
            if hit.rule.skip_report:
                continue
            yield self._finding(file, hit, ctx, paired.get(id(hit)))

    def _unmarked(self, file: SourceFile, hits: list[Hit], ctx: ScanContext) -> list[Hit]:
        """The auxiliary hits of composite rules that no inline marker (``garrison:allow``, ``gitleaks:allow``,
        ``garrison:ignore <rule>``) allows: a suppressed match does not satisfy a requirement."""
        from garrison.scan.engine import apply_inline_suppressions

        findings = [self._finding(file, h, ctx, None, verify=False) for h in hits]
        sha = file.commit.sha if file.commit else None
        kept, _ = apply_inline_suppressions(findings, {(file.path, sha): file}, {self.id: self.inline_markers})
        alive = {id(f) for f in kept}
        return [h for h, f in zip(hits, findings, strict=True) if id(f) in alive]

    # -- findings ----------------------------------------------------------------------------------
    def _finding(
        self, file: SourceFile, hit: Hit, ctx: ScanContext, partner: Hit | None, *, verify: bool = True
    ) -> Finding:
        rule = self._rules_by_id[hit.rule.id]
        shown = hit.secret if ctx.show_secrets else redact(hit.secret)
        evidence: dict[str, Any] = {"secret": shown, "entropy": round(hit.entropy, 2)}
        if hit.rule.provider:
            evidence["provider"] = hit.rule.provider
        if hit.rule.source != "garrison":
            evidence["rule_source"] = hit.rule.source
        evidence.update(hit.facts)
        severity = rule.severity
        tags: list[str] = []
        if partner is not None:
            evidence["paired_with"] = partner.secret if ctx.show_secrets else redact(partner.secret)
            severity = max(severity, Severity.CRITICAL)
            tags.append("paired")
        if hit.required:
            evidence["required"] = tuple(_describe_auxiliary(file, a, ctx.show_secrets) for a in hit.required)
        if verify and self.verify and hit.rule.verifier:
            verdict = self._verify(hit, partner)
            evidence.update(verdict)
            if verdict.get("verified") == "valid":
                severity = Severity.CRITICAL
                tags.append("verified")
        region = None
        if hit.line:
            region = Region(_map(file, hit.line), hit.column, _map(file, hit.end_line), hit.end_column)
        title = hit.rule.title
        message = f"{title}: {shown}" if hit.secret else f"{title}: {hit.facts.get('match', file.path)}"
        return new_finding(
            analyzer=self.id,
            kind=FindingKind.SECRET,
            rule=rule,
            location=Location(path=file.path, region=region, commit=file.commit),
            message=message,
            anchor=value_anchor(hit.secret) if hit.secret else "path-rule",
            severity=severity,
            evidence=evidence,
            tags=tags,
        )

    def _verify(self, hit: Hit, partner: Hit | None) -> dict[str, str]:
        from garrison.scan.analyzers.secrets.verify import run_verifier

        assert hit.rule.verifier is not None
        key = (hit.rule.verifier, hit.secret + "\x00" + (partner.secret if partner else ""))
        if key not in self._verify_cache:
            self._verify_cache[key] = run_verifier(
                hit.rule.verifier,
                hit.secret,
                partner=partner.secret if partner else None,
                endpoints=self.verify_endpoints,
                timeout=self.verify_timeout,
            )
        return self._verify_cache[key]


def _map(file: SourceFile, line: int) -> int:
    """The file's own line number for line ``line`` of what was scanned (history/staged fragments)."""
    return file_line(line, file.line_map)


def _describe_auxiliary(file: SourceFile, aux: Hit, show_secrets: bool) -> str:
    """``<rule id> at line L, column C: <secret, redacted unless shown>`` for a composite rule's evidence."""
    if not aux.line:
        return f"{aux.rule.id}: {aux.facts.get('match', file.path)}"
    shown = aux.secret if show_secrets else redact(aux.secret)
    return f"{aux.rule.id} at line {_map(file, aux.line)}, column {aux.column}: {shown}"


def _pair_aws(hits: Sequence[Hit]) -> dict[int, Hit]:
    """AWS secret access keys near an access key id (and vice versa): the pair is a usable credential."""
    ids = [h for h in hits if h.rule.id == "secrets.aws-access-key-id"]
    keys = [h for h in hits if h.rule.id == "secrets.aws-secret-access-key"]
    out: dict[int, Hit] = {}
    for k in keys:
        best = min(ids, key=lambda i: abs(i.line - k.line), default=None)
        if best is not None and abs(best.line - k.line) <= PAIR_DISTANCE:
            out[id(k)] = best
            out.setdefault(id(best), k)
    return out


def rule_catalogue() -> list[SecretRule]:
    """The built-in rules (for documentation and `garrison rules list`)."""
    return list(builtin_rules())
