"""gitleaks configuration files (``.gitleaks.toml``), so teams can bring their rules and allowlists along.

Supported: ``[[rules]]`` (id, description, regex, path, secretGroup, entropy, keywords, tags, skipReport,
``[[rules.allowlists]]`` and the older ``[rules.allowlist]``, composite rules' ``[[rules.required]]`` with
``id``, ``withinLines`` and ``withinColumns``), global ``[[allowlists]]`` (and the older
``[allowlist]``) with ``condition``, ``regexTarget``, ``commits``, ``paths``, ``regexes``, ``stopwords`` and
``targetRules``, and ``[extend]`` with ``path``, ``useDefault`` and ``disabledRules`` — following gitleaks'
semantics, including its maximum extend depth of 2. ``useDefault = true`` extends Garrison's built-in
catalogue; its rules answer to the gitleaks default rule ids they correspond to (``generic-api-key``,
``aws-access-token``, …), so overrides and ``disabledRules`` written for gitleaks' defaults still apply.

Every regex is compiled with RE2 (gitleaks' Go ``regexp`` is RE2 syntax). Anything invalid is a
:class:`ConfigError` with one line naming the file and the rule.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from garrison.core.config import read_toml
from garrison.core.errors import ConfigError
from garrison.core.severity import Confidence, Severity
from garrison.scan.analyzers.secrets.catalogue import RULE_PREFIX, builtin_rules
from garrison.scan.analyzers.secrets.model import Allowlist, Required, RuleSet, SecretRule
from garrison.scan.analyzers.secrets.regex import Pattern, compile_pattern

GITLEAKS_PREFIX = RULE_PREFIX + "gitleaks."
MAX_EXTEND_DEPTH = 2
_TOP_KEYS = frozenset({"title", "description", "minversion", "extend", "rules", "allowlist", "allowlists"})
_RULE_KEYS = frozenset(
    {
        "id",
        "description",
        "regex",
        "path",
        "secretgroup",
        "entropy",
        "keywords",
        "tags",
        "allowlist",
        "allowlists",
        "skipreport",
        "required",
    }
)
_REQUIRED_KEYS = frozenset({"id", "withinlines", "withincolumns"})
_ALLOW_KEYS = frozenset(
    {"description", "condition", "commits", "paths", "regextarget", "regexes", "stopwords", "targetrules"}
)


@dataclass(frozen=True, slots=True)
class _Required:
    """A ``[[rules.required]]`` entry as written; its id is resolved once every extension is merged."""

    id: str
    within_lines: int | None
    within_columns: int | None
    where: str  # rules[i].required[j]
    source: str


@dataclass(slots=True)
class _Rule:
    """A rule as written (before extension merges and validation)."""

    id: str
    where: str
    source: str
    description: str = ""
    regex: Pattern | None = None
    path: Pattern | None = None
    secret_group: int = 0
    entropy: float = 0.0
    keywords: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    allowlists: list[Allowlist] = field(default_factory=list)
    skip_report: bool = False
    required: list[_Required] = field(default_factory=list)
    builtin: SecretRule | None = None  # set when the rule is (an override of) a built-in rule


@dataclass(slots=True)
class _Config:
    rules: dict[str, _Rule] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    allowlists: list[Allowlist] = field(default_factory=list)
    targeted: list[tuple[str, Allowlist, str]] = field(default_factory=list)  # (rule id, allowlist, where)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def load_gitleaks_config(path: str | os.PathLike[str]) -> RuleSet:
    """Load a gitleaks TOML file (and what it extends) into a compiled :class:`RuleSet`."""
    p = Path(path)
    cfg = _load(p, depth=0)
    return _finish(cfg, str(p))


def _keys_lower(table: Mapping[str, Any]) -> dict[str, Any]:
    # viper (which gitleaks uses) matches keys case-insensitively: secretGroup == secretgroup
    return {str(k).lower(): v for k, v in table.items()}


def _load(path: Path, depth: int) -> _Config:
    src = str(path)
    data = _keys_lower(read_toml(path))
    cfg = _Config(sources=[src])
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        cfg.notes.append(f"{src}: ignored unknown top-level key {unknown[0]!r}")
    rules = data.get("rules", [])
    if not isinstance(rules, list):
        raise ConfigError("expected [[rules]] tables", path=src, field="rules")
    for i, raw in enumerate(rules):
        if not isinstance(raw, dict):
            raise ConfigError("expected a table", path=src, field=f"rules[{i}]")
        rule = _parse_rule(_keys_lower(raw), src, f"rules[{i}]", cfg)
        if rule.id in cfg.rules:
            cfg.notes.append(f"{src}: rule {rule.id!r} defined twice; the last definition wins")
        else:
            cfg.order.append(rule.id)
        cfg.rules[rule.id] = rule
    has_old = "allowlist" in data
    has_new = "allowlists" in data
    if has_old and has_new:
        raise ConfigError("[allowlist] is deprecated, it cannot be used alongside [[allowlists]]", path=src)
    globals_: list[Any] = [data["allowlist"]] if has_old else list(data.get("allowlists", []) or [])
    for i, raw in enumerate(globals_):
        where = "allowlist" if has_old else f"allowlists[{i}]"
        if not isinstance(raw, dict):
            raise ConfigError("expected a table", path=src, field=where)
        table = _keys_lower(raw)
        allow = _parse_allowlist(table, src, where, is_global=True)
        targets = table.get("targetrules") or []
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise ConfigError("targetRules: expected a list of rule ids", path=src, field=where)
        if targets:
            cfg.targeted.extend((t, allow, where) for t in targets)
        else:
            cfg.allowlists.append(allow)

    extend = _keys_lower(data.get("extend", {}) or {})
    if extend and depth < MAX_EXTEND_DEPTH:
        use_default = extend.get("usedefault", False)
        ext_path = extend.get("path", "")
        if extend.get("url"):
            raise ConfigError("extend.url is not supported; download the file and use extend.path", path=src)
        if use_default and ext_path:
            raise ConfigError("unable to load config due to extend.path and extend.useDefault being set", path=src)
        disabled = extend.get("disabledrules", []) or []
        if not isinstance(disabled, list) or not all(isinstance(d, str) for d in disabled):
            raise ConfigError("expected a list of rule ids", path=src, field="extend.disabledRules")
        if use_default is True:
            _extend(cfg, _builtin_config(), set(disabled), "the built-in catalogue")
        elif ext_path:
            if not isinstance(ext_path, str):
                raise ConfigError("expected a path", path=src, field="extend.path")
            base_path = _resolve_extend(ext_path, path)
            try:
                base = _load(base_path, depth + 1)
            except ConfigError as exc:
                raise ConfigError(f"failed to load extended config: {exc.message}", path=src) from None
            _extend(cfg, base, set(disabled), str(base_path))
    elif extend and depth >= MAX_EXTEND_DEPTH:
        cfg.notes.append(f"{src}: [extend] ignored (gitleaks extends at most {MAX_EXTEND_DEPTH} levels)")
    return cfg


def _resolve_extend(ext_path: str, including: Path) -> Path:
    """gitleaks resolves extend.path against the working directory; Garrison also tries the including file's
    directory, which is what a repository-relative config usually means."""
    candidates = [Path(ext_path).expanduser()]
    if not Path(ext_path).is_absolute():
        candidates.append(including.parent / ext_path)
    for c in candidates:
        if c.is_file():
            return c
    raise ConfigError(f"no such file {ext_path!r}", path=str(including), field="extend.path")


def _strings(table: Mapping[str, Any], key: str, src: str, where: str) -> list[str]:
    value = table.get(key, []) or []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key}: expected a list of strings", path=src, field=where)
    return list(value)


def _parse_rule(raw: dict[str, Any], src: str, where: str, cfg: _Config) -> _Rule:
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        cfg.notes.append(f"{src}: {where}: ignored unknown key {unknown[0]!r}")
    rid = raw.get("id", "")
    if not isinstance(rid, str):
        raise ConfigError("id: expected a string", path=src, field=where)
    rule = _Rule(id=rid.strip(), where=where, source=src)
    rule.description = str(raw.get("description", "") or "")
    label = f"{where} ({rid})" if rid else where
    if raw.get("regex"):
        if not isinstance(raw["regex"], str):
            raise ConfigError("regex: expected a string", path=src, field=label)
        rule.regex = compile_pattern(raw["regex"], where=f"{label}.regex", path=src)
        if rule.regex.engine != "re2":
            cfg.notes.append(f"{src}: rule {rid!r}: regex not expressible in RE2; runs time-bounded")
    if raw.get("path"):
        if not isinstance(raw["path"], str):
            raise ConfigError("path: expected a string", path=src, field=label)
        rule.path = compile_pattern(raw["path"], where=f"{label}.path", path=src)
    group = raw.get("secretgroup", 0) or 0
    if not isinstance(group, int) or isinstance(group, bool) or group < 0:
        raise ConfigError("secretGroup: expected a non-negative integer", path=src, field=label)
    rule.secret_group = group
    ent = raw.get("entropy", 0) or 0
    if not isinstance(ent, (int, float)) or isinstance(ent, bool):
        raise ConfigError("entropy: expected a number", path=src, field=label)
    rule.entropy = float(ent)
    rule.keywords = [k.lower() for k in _strings(raw, "keywords", src, label)]
    rule.tags = _strings(raw, "tags", src, label)
    rule.skip_report = bool(raw.get("skipreport", False))
    rule.required = _parse_required(raw.get("required"), src, where)
    has_old, has_new = "allowlist" in raw, "allowlists" in raw
    if has_old and has_new:
        raise ConfigError(
            f"{rid}: [rules.allowlist] is deprecated, it cannot be used alongside [[rules.allowlist]]",
            path=src,
            field=where,
        )
    tables = [raw["allowlist"]] if has_old else list(raw.get("allowlists", []) or [])
    for j, t in enumerate(tables):
        aw = f"{label}.allowlists[{j}]"
        if not isinstance(t, dict):
            raise ConfigError("expected a table", path=src, field=aw)
        rule.allowlists.append(_parse_allowlist(_keys_lower(t), src, aw, is_global=False))
    return rule


def _parse_required(value: Any, src: str, where: str) -> list[_Required]:
    """A composite rule's ``[[rules.required]]`` tables (unknown keys and bad distances are errors)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError("expected [[rules.required]] tables", path=src, field=f"{where}.required")
    out: list[_Required] = []
    for j, raw in enumerate(value):
        rw = f"{where}.required[{j}]"
        if not isinstance(raw, dict):
            raise ConfigError("expected a table", path=src, field=rw)
        table = _keys_lower(raw)
        unknown = sorted(set(table) - _REQUIRED_KEYS)
        if unknown:
            raise ConfigError(f"unknown key {unknown[0]!r}", path=src, field=rw)
        rid = table.get("id")
        if not isinstance(rid, str) or not rid.strip():
            raise ConfigError("id: expected the id of another rule", path=src, field=rw)
        within: list[int | None] = []
        for key, name in (("withinlines", "withinLines"), ("withincolumns", "withinColumns")):
            n = table.get(key)
            if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 0):
                raise ConfigError(f"{name}: expected a non-negative integer, got {n!r}", path=src, field=rw)
            within.append(n)
        out.append(_Required(rid.strip(), within[0], within[1], rw, src))
    return out


def _parse_allowlist(raw: dict[str, Any], src: str, where: str, *, is_global: bool) -> Allowlist:
    allowed = _ALLOW_KEYS if is_global else _ALLOW_KEYS - {"targetrules"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ConfigError(f"unknown key {unknown[0]!r}", path=src, field=where)
    cond_raw = str(raw.get("condition", "") or "").upper()
    if cond_raw in ("AND", "&&"):
        condition = "and"
    elif cond_raw in ("", "OR", "||"):
        condition = "or"
    else:
        raise ConfigError(
            f"unknown allowlist |condition| {raw.get('condition')!r} (expected 'and', 'or')", path=src, field=where
        )
    target = str(raw.get("regextarget", "") or "")
    if target not in ("", "secret", "match", "line"):
        raise ConfigError(
            f"unknown allowlist |regexTarget| {target!r} (expected 'match', 'line')", path=src, field=where
        )
    commits = _strings(raw, "commits", src, where)
    paths = _strings(raw, "paths", src, where)
    regexes = _strings(raw, "regexes", src, where)
    stopwords = _strings(raw, "stopwords", src, where)
    if not (commits or paths or regexes or stopwords):
        raise ConfigError(
            "must contain at least one check for: commits, paths, regexes, or stopwords", path=src, field=where
        )
    return Allowlist(
        description=str(raw.get("description", "") or ""),
        condition=condition,  # type: ignore[arg-type]
        commits=frozenset(c.strip().lower() for c in commits),
        paths=tuple(compile_pattern(p, where=f"{where}.paths", path=src) for p in paths),
        regexes=tuple(compile_pattern(r, where=f"{where}.regexes", path=src) for r in regexes),
        regex_target=(target or "secret"),  # type: ignore[arg-type]
        stopwords=tuple(dict.fromkeys(w.lower() for w in stopwords)),
    )


def _builtin_config() -> _Config:
    """Garrison's catalogue as an extendable base: each rule answers to its own short id and its aliases."""
    cfg = _Config(sources=["garrison:builtin"])
    for r in builtin_rules():
        short = r.id.removeprefix(RULE_PREFIX)
        entry = _Rule(id=short, where=short, source="garrison", builtin=r)
        cfg.rules[short] = entry
        cfg.order.append(short)
    return cfg


def _alias_index(base: _Config) -> dict[str, str]:
    index: dict[str, str] = {}
    for rid, rule in base.rules.items():
        if rule.builtin is not None:
            for alias in rule.builtin.aliases:
                index.setdefault(alias, rid)
    return index


def _extend(cfg: _Config, base: _Config, disabled: set[str], base_name: str) -> None:
    """gitleaks' merge: base rules are added; a rule defined in both is the base rule with this config's
    non-empty fields on top (tags, keywords and allowlists are appended)."""
    aliases = _alias_index(base)
    own = dict(cfg.rules)
    for rid in list(own):
        target = rid if rid in base.rules else aliases.get(rid)
        if target is not None and target != rid:
            own[target] = own.pop(rid)  # a gitleaks default id that names a built-in rule
            cfg.order[cfg.order.index(rid)] = target
    cfg.rules = own
    disabled_all = disabled | {aliases[d] for d in disabled if d in aliases}
    for d in disabled:
        if d not in base.rules and d not in aliases:
            cfg.notes.append(f"disabled rule {d!r} is not in {base_name}")
    for rid in base.order:
        if rid in disabled_all:
            continue
        b = base.rules[rid]
        mine = cfg.rules.get(rid)
        if mine is None:
            cfg.rules[rid] = b
            cfg.order.append(rid)
            continue
        merged = replace(
            b,
            description=mine.description or b.description,
            entropy=mine.entropy or b.entropy,
            secret_group=mine.secret_group or b.secret_group,
            regex=mine.regex or b.regex,
            path=mine.path or b.path,
            tags=[*b.tags, *mine.tags],
            keywords=[*b.keywords, *mine.keywords],
            allowlists=[*b.allowlists, *mine.allowlists],
            skip_report=mine.skip_report or b.skip_report,
            required=mine.required or b.required,
            where=mine.where,
            source=b.source,
        )
        if b.builtin is not None and (mine.regex or mine.path or mine.secret_group or mine.entropy):
            merged.builtin = None  # its detection was overridden: it is now a gitleaks-style rule
            merged.source = mine.source
        cfg.rules[rid] = merged
    cfg.allowlists.extend(base.allowlists)
    cfg.targeted.extend(base.targeted)
    cfg.notes.extend(base.notes)
    cfg.sources.extend(base.sources)


def _finish(cfg: _Config, root_src: str) -> RuleSet:
    for rid, allow, where in cfg.targeted:
        if rid not in cfg.rules:
            raise ConfigError(f"[[allowlists]] target rule ID {rid!r} does not exist", path=root_src, field=where)
        cfg.rules[rid].allowlists.append(allow)
    out: list[SecretRule] = []
    for rid in cfg.order:
        r = cfg.rules[rid]
        required = _resolve_required(r, cfg)
        out_rule = _validate(r, cfg)
        if out_rule is not None:
            out.append(replace(out_rule, required=required))
    matching = {o.id for o in out}
    for o in out:
        for need in o.required:
            if need.rule_id not in matching:
                cfg.notes.append(f"rule {o.id!r} requires {need.rule_id!r}, which matches nothing; it never reports")
    notes = list(dict.fromkeys(cfg.notes))
    return RuleSet(rules=out, allowlists=tuple(cfg.allowlists), notes=notes, config_paths=tuple(cfg.sources))


def _full_id(r: _Rule) -> str:
    return r.builtin.id if r.builtin is not None else GITLEAKS_PREFIX + r.id


def _resolve_required(r: _Rule, cfg: _Config) -> tuple[Required, ...]:
    """The rule's required ids, after extension merges, as the full ids of the rules they name."""
    if not r.required:
        return ()
    aliases = _alias_index(cfg)
    out: list[Required] = []
    for q in r.required:
        target = cfg.rules.get(q.id) or cfg.rules.get(aliases.get(q.id, ""))
        if target is None:
            raise ConfigError(f"{r.id}: required rule ID {q.id!r} does not exist", path=q.source, field=q.where)
        out.append(Required(_full_id(target), q.within_lines, q.within_columns))
    return tuple(out)


def _validate(r: _Rule, cfg: _Config) -> SecretRule | None:
    if not r.id:
        ctx = ""
        if r.description:
            ctx += f", description: {r.description}"
        if r.regex is not None:
            ctx += f", regex: {r.regex.source}"
        if r.path is not None:
            ctx += f", path: {r.path.source}"
        raise ConfigError("rule |id| is missing or empty" + ctx, path=r.source, field=r.where)
    if r.builtin is not None:
        b = r.builtin
        return replace(
            b,
            allowlists=(*b.allowlists, *r.allowlists),
            keywords=tuple(dict.fromkeys([*b.keywords, *r.keywords])),
            tags=tuple(dict.fromkeys([*b.tags, *r.tags])),
            description=r.description or b.description,
        )
    if r.regex is None and r.path is None:
        if r.keywords:
            cfg.notes.append(f"rule {r.id!r} has keywords but no regex or path; it reports nothing")
            return None
        raise ConfigError(
            f"{r.id}: both |regex| and |path| are empty, this rule will have no effect", path=r.source, field=r.where
        )
    if r.regex is not None and r.secret_group > r.regex.groups:
        raise ConfigError(
            f"{r.id}: invalid regex secret group {r.secret_group}, max regex secret group {r.regex.groups}",
            path=r.source,
            field=r.where,
        )
    return SecretRule(
        id=GITLEAKS_PREFIX + r.id,
        title=r.description or r.id,
        regex=r.regex,
        path=r.path,
        keywords=tuple(dict.fromkeys(r.keywords)),
        secret_group=r.secret_group,
        entropy=r.entropy,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        allowlists=tuple(r.allowlists),
        provider="",
        description=r.description,
        remediation="Rotate the credential at its issuer, remove it from the code and history, and load it at "
        "run time from a secret store (rule from a gitleaks configuration).",
        tags=tuple(dict.fromkeys(r.tags)),
        source=f"gitleaks:{Path(r.source).name}",
        skip_report=r.skip_report,
    )
