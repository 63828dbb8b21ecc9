"""The secrets analyzer's rule model: one shape for Garrison's own catalogue and for gitleaks configs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from garrison.core.finding import Rule
from garrison.core.severity import Confidence, Severity
from garrison.scan.analyzers.secrets.regex import Pattern

RegexTarget = Literal["secret", "match", "line"]
Condition = Literal["or", "and"]


@dataclass(frozen=True, slots=True)
class Allowlist:
    """gitleaks allowlist semantics: with ``or`` any check allows; with ``and`` every check given must."""

    description: str = ""
    condition: Condition = "or"
    commits: frozenset[str] = frozenset()
    paths: tuple[Pattern, ...] = ()
    regexes: tuple[Pattern, ...] = ()
    regex_target: RegexTarget = "secret"
    stopwords: tuple[str, ...] = ()  # lowercase

    def path_allowed(self, path: str) -> bool:
        raw = path.encode("utf-8", "surrogateescape")
        return any(p.matches(raw) for p in self.paths)

    def commit_allowed(self, sha: str | None) -> bool:
        return bool(sha) and sha.lower() in self.commits  # type: ignore[union-attr]

    def regex_allowed(self, text: bytes) -> bool:
        return bool(text) and any(p.matches(text) for p in self.regexes)

    def stopword_in(self, secret: str) -> bool:
        low = secret.lower()
        return any(w in low for w in self.stopwords)

    def allows_file(self, path: str, sha: str | None) -> bool:
        """Whole-file decision (before matching): only commits and paths can decide it."""
        if self.condition == "and":
            if self.regexes or self.stopwords:
                return False
            checks = []
            if self.commits:
                checks.append(self.commit_allowed(sha))
            if self.paths:
                checks.append(self.path_allowed(path))
            return bool(checks) and all(checks)
        return self.commit_allowed(sha) or self.path_allowed(path)

    def allows_match(self, *, secret: str, match: bytes, line: bytes, path: str, sha: str | None) -> bool:
        target = {"secret": secret.encode("utf-8", "surrogateescape"), "match": match, "line": line}[self.regex_target]
        if self.condition == "and":
            checks: list[bool] = []
            if self.commits:
                checks.append(self.commit_allowed(sha))
            if self.paths:
                checks.append(self.path_allowed(path))
            if self.regexes:
                checks.append(self.regex_allowed(target))
            if self.stopwords:
                checks.append(self.stopword_in(secret))
            return bool(checks) and all(checks)
        return self.regex_allowed(target) or (bool(self.stopwords) and self.stopword_in(secret))


@dataclass(frozen=True, slots=True)
class Required:
    """One ``[[rules.required]]`` entry of a gitleaks composite rule: the primary rule reports a match only when
    rule ``rule_id`` also matches in the same fragment within the given distances (None: no bound).

    Positions are those of the captured secrets: lines are the file's own line numbers, columns the
    (1-based, in characters) start columns of the two secrets.
    """

    rule_id: str  # full id (``secrets.gitleaks.<id>`` or a built-in rule's id)
    within_lines: int | None = None
    within_columns: int | None = None

    def near(self, primary: tuple[int, int], aux: tuple[int, int]) -> bool:
        """Whether ``aux`` (line, column) lies in the allowed area around ``primary`` (line, column)."""
        if self.within_lines is not None and abs(aux[0] - primary[0]) > self.within_lines:
            return False
        return self.within_columns is None or abs(aux[1] - primary[1]) <= self.within_columns

    @property
    def bounded(self) -> bool:
        return self.within_lines is not None or self.within_columns is not None


@dataclass(frozen=True, slots=True)
class SecretRule:
    """One detector. ``id`` is the full rule id (``secrets.github-pat``, ``secrets.gitleaks.<id>``)."""

    id: str
    title: str
    regex: Pattern | None = None
    path: Pattern | None = None
    keywords: tuple[str, ...] = ()  # lowercase
    secret_group: int = 0  # 0: the first non-empty capture group (gitleaks semantics), else the whole match
    entropy: float = 0.0  # the secret must have more Shannon entropy than this (bits per char); 0 = no check
    severity: Severity = Severity.HIGH
    confidence: Confidence = Confidence.HIGH
    allowlists: tuple[Allowlist, ...] = ()
    provider: str = ""
    description: str = ""
    remediation: str = ""
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    #: generic (context-only) rules get the placeholder/vendored-path/lockfile/minified filters
    generic: bool = False
    #: the match may span lines (private keys): its window runs to the end of the file, not of the line
    multiline: bool = False
    #: name of an extra validator in ``validators.VALIDATORS`` (JWT header, basic-auth decoding, …)
    validator: str | None = None
    #: name of a live verifier in ``verify.VERIFIERS`` (used only with ``--verify``)
    verifier: str | None = None
    min_length: int = 0
    #: gitleaks rule ids this rule stands for when a gitleaks config extends the default
    aliases: tuple[str, ...] = ()
    source: str = "garrison"  # "garrison" or "gitleaks:<file>"
    skip_report: bool = False
    #: gitleaks composite rule: every entry must be satisfied in the same fragment for a match to count
    required: tuple[Required, ...] = ()

    def to_rule(self) -> Rule:
        return Rule(
            id=self.id,
            title=self.title,
            severity=self.severity,
            confidence=self.confidence,
            description=self.description or self.title,
            remediation=self.remediation,
            cwe=(798,),
            references=self.references,
            tags=tuple(sorted({"secret", *self.tags})),
        )


@dataclass(slots=True)
class RuleSet:
    """The compiled rules of one scan and the global allowlists that apply to all of them."""

    rules: list[SecretRule] = field(default_factory=list)
    allowlists: tuple[Allowlist, ...] = ()
    #: one-line notes for the report (e.g. which rules run on the time-bounded fallback engine)
    notes: list[str] = field(default_factory=list)
    #: rule source files (a gitleaks config), never scanned themselves
    config_paths: tuple[str, ...] = ()
