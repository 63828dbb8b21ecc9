"""Matching one file's bytes against a rule set: prefilter → candidate windows → regex → filters.

Pure: bytes, path and commit in, :class:`Hit` values out. The analyzer turns hits into findings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from garrison.scan.analyzers.secrets import filters
from garrison.scan.analyzers.secrets.entropy import shannon
from garrison.scan.analyzers.secrets.model import Required, RuleSet, SecretRule
from garrison.scan.analyzers.secrets.prefilter import Prefilter, RuleSpec, build_prefilter
from garrison.scan.analyzers.secrets.regex import MatchLike, PatternTimeout
from garrison.scan.analyzers.secrets.validators import VALIDATORS

#: longest match kept (a runaway generic match is not a secret)
MAX_MATCH = 16 * 1024


@dataclass(frozen=True, slots=True)
class Hit:
    rule: SecretRule
    secret: str
    start: int  # byte offsets of the whole match in the file
    end: int
    line: int  # 1-based, of the match start
    column: int  # 1-based, in characters
    end_line: int
    end_column: int
    entropy: float
    facts: dict[str, str] = field(default_factory=dict)
    #: composite rules: the auxiliary hit that satisfied each ``required`` entry, in the rule's order
    required: tuple[Hit, ...] = ()


@dataclass(slots=True)
class ScanNotes:
    """Per-file problems that are not findings (a fallback regex that hit its time bound)."""

    timeouts: list[str] = field(default_factory=list)


class Matcher:
    def __init__(self, ruleset: RuleSet, *, prefilter: str = "auto") -> None:
        self.ruleset = ruleset
        self.rules: list[SecretRule] = [r for r in ruleset.rules if r.regex is not None or r.path is not None]
        self._regex_rules = [i for i, r in enumerate(self.rules) if r.regex is not None]
        specs = [
            RuleSpec(
                keywords=self.rules[i].keywords,
                regex=self.rules[i].regex.source if self.rules[i].regex is not None else None,  # type: ignore[union-attr]
                whole_file=self.rules[i].source != "garrison",
                multiline=self.rules[i].multiline,
            )
            for i in self._regex_rules
        ]
        self.prefilter: Prefilter = build_prefilter(specs, prefilter)
        self.keywords = sorted({k for s in specs for k in s.keywords})
        self._path_only = [i for i, r in enumerate(self.rules) if r.regex is None and r.path is not None]
        #: ids of the rules some composite rule requires
        self._auxiliary = frozenset(q.rule_id for r in self.rules for q in r.required)

    def _windows(self, data: bytes) -> dict[int, tuple[int, int]]:
        """Rule index → the (start, end) byte window its regex searches."""
        return {self._regex_rules[i]: w for i, w in self.prefilter.candidates(data).items()}

    # -- matching ----------------------------------------------------------------------------------
    def scan(
        self,
        data: bytes,
        path: str,
        sha: str | None = None,
        notes: ScanNotes | None = None,
        *,
        line_map: Sequence[int] | None = None,
        usable: Callable[[list[Hit]], list[Hit]] | None = None,
    ) -> list[Hit]:
        """The hits in one file (or fragment: ``line_map`` gives the file's line number of each line of
        ``data``). ``usable`` narrows the auxiliary hits that may satisfy a composite rule's requirements
        (the analyzer drops those on a line with an inline allow marker)."""
        hits = self._scan(data, path, sha, notes)
        if self._auxiliary:
            hits = _apply_required(hits, self._auxiliary, line_map, usable)
        return _drop_overlaps(hits)

    def _scan(self, data: bytes, path: str, sha: str | None, notes: ScanNotes | None) -> list[Hit]:
        if any(a.allows_file(path, sha) for a in self.ruleset.allowlists):
            return []
        if path in self.ruleset.config_paths:
            return []
        hits: list[Hit] = []
        for r in self._path_only:
            rule = self.rules[r]
            assert rule.path is not None
            if rule.path.matches(path.encode("utf-8", "surrogateescape")) and not _file_allowed(rule, path, sha):
                hits.append(Hit(rule, "", 0, 0, 0, 0, 0, 0, 0.0, {"match": f"file detected: {path}"}))
        windows = self._windows(data)
        if not windows:
            return hits
        generic_ok = not (filters.is_vendored(path) or filters.is_lockfile(path) or filters.is_minified_name(path))
        vendored_test = filters.is_vendored_test(path)
        for r, (lo, hi) in sorted(windows.items()):
            rule = self.rules[r]
            if rule.generic and not generic_ok:
                continue
            if rule.path is not None and not rule.path.matches(path.encode("utf-8", "surrogateescape")):
                continue
            if _file_allowed(rule, path, sha):
                continue
            assert rule.regex is not None
            try:
                for m in rule.regex.finditer(data, lo, hi):
                    hit = self._confirm(rule, m, data, path, sha, vendored_test)
                    if hit is not None:
                        hits.append(hit)
            except PatternTimeout:
                if notes is not None:
                    notes.timeouts.append(rule.id)
        return hits

    def _confirm(
        self, rule: SecretRule, m: MatchLike, data: bytes, path: str, sha: str | None, vendored_test: bool
    ) -> Hit | None:
        start, end = m.span()
        while end > start and data[end - 1 : end] in (b"\n", b"\r"):
            end -= 1
        if end <= start or end - start > MAX_MATCH:
            return None
        s_start, s_end = _secret_span(rule, m, start, end)
        if s_end <= s_start:
            return None
        secret = data[s_start:s_end].decode("utf-8", "replace")
        if rule.min_length and len(secret) < rule.min_length:
            return None
        line_start = data.rfind(b"\n", 0, s_start) + 1
        line_end = data.find(b"\n", s_start)
        line = data[line_start : (len(data) if line_end < 0 else line_end)]
        if filters.is_placeholder(secret) or filters.is_known_example(secret):
            return None
        if filters.in_embedded_blob(line, s_start - line_start):
            return None
        if vendored_test and rule.source == "garrison":
            return None
        if rule.generic:
            if filters.is_minified_line(line):
                return None
            names = rule.regex.group_names if rule.regex is not None else {}
            key = _group_text(m, names.get("key"))
            bare = "bare" in names and m.span(names["bare"]) == (s_start, s_end)
            if filters.generic_rejects(
                secret,
                key=key,
                line=line,
                start_in_line=s_start - line_start,
                end_in_line=s_end - line_start,
                min_entropy=rule.entropy,
                password="password" in rule.id,
                bare=bare,
                code=filters.is_code_file(path),
            ):
                return None
        ent = shannon(secret)
        if rule.entropy and ent <= rule.entropy:
            return None
        facts: dict[str, str] = {}
        if rule.validator:
            checked = VALIDATORS[rule.validator](secret)
            if checked is None:
                return None
            facts.update(checked)
        match_bytes = data[start:end]
        for allow in (*self.ruleset.allowlists, *rule.allowlists):
            if allow.allows_match(secret=secret, match=match_bytes, line=line, path=path, sha=sha):
                return None
        # the location is the secret's (not the whole match's): that is what a reviewer needs to see
        line_no = data.count(b"\n", 0, s_start) + 1
        column = len(data[line_start:s_start].decode("utf-8", "replace")) + 1
        end_line = line_no + data.count(b"\n", s_start, s_end)
        end_line_start = data.rfind(b"\n", 0, s_end) + 1
        end_column = len(data[end_line_start:s_end].decode("utf-8", "replace"))
        return Hit(rule, secret, s_start, s_end, line_no, column, end_line, max(end_column, 1), ent, facts)


def _file_allowed(rule: SecretRule, path: str, sha: str | None) -> bool:
    return any(a.allows_file(path, sha) for a in rule.allowlists)


def _group_text(m: MatchLike, index: int | None) -> str:
    """A group's text by index (google-re2's match objects take numbers, not names)."""
    if index is None:
        return ""
    value = m.group(index)
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def _secret_span(rule: SecretRule, m: MatchLike, start: int, end: int) -> tuple[int, int]:
    assert rule.regex is not None
    groups = rule.regex.groups
    if rule.secret_group:
        s, e = m.span(rule.secret_group)
        return (s, e) if s >= 0 else (0, 0)
    skip = {rule.regex.group_names.get("key", -1)}
    for g in range(1, groups + 1):
        if g in skip:
            continue
        s, e = m.span(g)
        if s >= 0 and e > s:
            return s, min(e, end)
    return start, end


def _apply_required(
    hits: list[Hit],
    auxiliary: frozenset[str],
    line_map: Sequence[int] | None,
    usable: Callable[[list[Hit]], list[Hit]] | None,
) -> list[Hit]:
    """gitleaks composite rules: a hit of a rule with ``required`` entries stays only if, for every entry,
    the required rule has a (usable) hit in the same data within the entry's distances; the nearest such
    hit of each entry is recorded on it. Hits reaching here already passed allowlists and filters."""
    if not any(h.rule.required for h in hits):
        return hits
    aux = [h for h in hits if h.rule.id in auxiliary]
    if usable is not None and aux:
        aux = usable(aux)
    by_rule: dict[str, list[Hit]] = {}
    for h in aux:
        by_rule.setdefault(h.rule.id, []).append(h)
    out: list[Hit] = []
    for h in hits:
        if not h.rule.required:
            out.append(h)
            continue
        found: list[Hit] = []
        for q in h.rule.required:
            best = _nearest(h, q, by_rule.get(q.rule_id, ()), line_map)
            if best is None:
                break
            found.append(best)
        else:
            out.append(replace(h, required=tuple(found)))
    return out


def _nearest(primary: Hit, q: Required, candidates: Sequence[Hit], line_map: Sequence[int] | None) -> Hit | None:
    """The candidate closest to ``primary`` within ``q``'s bounds (a rule requiring itself needs a second hit).
    Path-only hits have no position: they satisfy only an entry without bounds."""
    p = (file_line(primary.line, line_map), primary.column)
    best: tuple[int, int, int] | None = None
    chosen: Hit | None = None
    for a in candidates:
        if a is primary:
            continue
        if q.bounded:
            if not (primary.line and a.line):
                continue
            pos = (file_line(a.line, line_map), a.column)
            if not q.near(p, pos):
                continue
        else:
            pos = (file_line(a.line, line_map), a.column)
        key = (abs(pos[0] - p[0]), abs(pos[1] - p[1]), a.start)
        if best is None or key < best:
            best, chosen = key, a
    return chosen


def file_line(line: int, line_map: Sequence[int] | None) -> int:
    """The file's own line number of line ``line`` of the scanned data (a history or staged fragment)."""
    if line_map is None or not 0 < line <= len(line_map):
        return line
    return line_map[line - 1]


def _drop_overlaps(hits: Sequence[Hit]) -> list[Hit]:
    """One secret, one finding: a generic rule yields to a provider rule on the same bytes, and of two
    provider rules on the same bytes the one earlier in the catalogue (the more specific) wins. A rule that
    never reports (gitleaks ``skipReport``) yields to every rule that does."""
    if len(hits) < 2:
        return list(hits)
    # stable: catalogue order within a start
    ordered = sorted(hits, key=lambda h: (h.rule.skip_report, h.rule.generic, h.start))
    kept: list[Hit] = []
    by_line: dict[int, list[Hit]] = {}
    for h in ordered:
        near = [k for ln in range(h.line - 1, h.end_line + 1) for k in by_line.get(ln, ())]
        if any(h.start < k.end and k.start < h.end and _same_secret(h, k) for k in near):
            continue
        kept.append(h)
        for ln in range(h.line, h.end_line + 1):
            by_line.setdefault(ln, []).append(h)
    return sorted(kept, key=lambda h: (h.start, h.rule.id))


def _same_secret(a: Hit, b: Hit) -> bool:
    return a.secret == b.secret or a.secret in b.secret or b.secret in a.secret
