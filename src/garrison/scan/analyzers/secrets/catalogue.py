"""Garrison's own rule catalogue: TOML data under ``rules/``, one file per provider family.

Each file has ``[providers.<key>]`` tables (name, remediation shared by that provider's credential types,
references) and ``[[rules]]`` entries. A rule's id becomes ``secrets.<id>``; ids are stable, so waivers,
baselines and SARIF consumers can rely on them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from garrison.core.errors import ConfigError
from garrison.core.severity import Confidence, Severity
from garrison.scan.analyzers.secrets.model import Allowlist, SecretRule
from garrison.scan.analyzers.secrets.regex import compile_pattern, lazy_pattern

RULE_PREFIX = "secrets."
_RULE_KEYS = frozenset(
    {
        "id",
        "provider",
        "title",
        "description",
        "regex",
        "keywords",
        "secret_group",
        "entropy",
        "severity",
        "confidence",
        "remediation",
        "references",
        "tags",
        "generic",
        "multiline",
        "validator",
        "verifier",
        "min_length",
        "aliases",
        "allowlist",
    }
)
_ALLOW_KEYS = frozenset({"regexes", "regex_target", "stopwords", "paths"})
_PROVIDER_KEYS = frozenset({"name", "remediation", "references"})


def family_files() -> list[str]:
    base = resources.files(__package__).joinpath("rules")
    return sorted(p.name for p in base.iterdir() if p.name.endswith(".toml"))


@cache
def builtin_rules() -> tuple[SecretRule, ...]:
    """Every built-in rule, compiled, in catalogue order (file order, then order in the file)."""
    rules: list[SecretRule] = []
    seen: dict[str, str] = {}
    base = resources.files(__package__).joinpath("rules")
    for name in family_files():
        source = f"secrets/rules/{name}"
        data = tomllib.loads(base.joinpath(name).read_text(encoding="utf-8"))
        for rule in parse_family(data, source=source):
            if rule.id in seen:
                raise ConfigError(f"duplicate rule id {rule.id!r} (also in {seen[rule.id]})", path=source)
            seen[rule.id] = source
            rules.append(rule)
    return tuple(rules)


def parse_family(data: Mapping[str, Any], *, source: str, lazy: bool = True) -> list[SecretRule]:
    providers: dict[str, Mapping[str, Any]] = {}
    for key, table in dict(data.get("providers", {})).items():
        unknown = set(table) - _PROVIDER_KEYS
        if unknown:
            raise ConfigError(f"unknown key {sorted(unknown)[0]!r}", path=source, field=f"providers.{key}")
        providers[key] = table
    out: list[SecretRule] = []
    for i, raw in enumerate(data.get("rules", [])):
        where = f"rules[{i}]"
        unknown = set(raw) - _RULE_KEYS
        if unknown:
            raise ConfigError(f"unknown key {sorted(unknown)[0]!r}", path=source, field=where)
        for required in ("id", "provider", "title", "regex"):
            if not raw.get(required):
                raise ConfigError(f"missing {required!r}", path=source, field=where)
        prov_key = raw["provider"]
        if prov_key not in providers:
            raise ConfigError(f"unknown provider {prov_key!r}", path=source, field=where)
        prov = providers[prov_key]
        remediation = raw.get("remediation") or prov.get("remediation", "")
        if not remediation:
            raise ConfigError("no remediation (rule or provider)", path=source, field=where)
        keywords = tuple(k.lower() for k in raw.get("keywords", ()))
        if not keywords:
            raise ConfigError("built-in rules need keywords for the prefilter", path=source, field=where)
        # compiled on first use; tests/scan/analyzers/secrets compile and exercise every one
        regex = (
            lazy_pattern(raw["regex"])
            if lazy
            else compile_pattern(raw["regex"], where=f"{where}.regex", path=source, fallback=False)
        )
        group = int(raw.get("secret_group", 0))
        if not lazy and group > regex.groups:
            raise ConfigError(f"secret_group {group} > {regex.groups} groups", path=source, field=where)
        out.append(
            SecretRule(
                id=RULE_PREFIX + raw["id"],
                title=raw["title"],
                regex=regex,
                keywords=keywords,
                secret_group=group,
                entropy=float(raw.get("entropy", 0.0)),
                severity=Severity.parse(raw.get("severity", "high")),
                confidence=Confidence[str(raw.get("confidence", "high")).upper()],
                provider=prov.get("name", prov_key),
                description=raw.get("description", ""),
                remediation=" ".join(remediation.split()),
                references=tuple(raw.get("references", ())) + tuple(prov.get("references", ())),
                tags=tuple(raw.get("tags", ())),
                generic=bool(raw.get("generic", False)),
                multiline=bool(raw.get("multiline", False)),
                validator=raw.get("validator"),
                verifier=raw.get("verifier"),
                min_length=int(raw.get("min_length", 0)),
                aliases=tuple(raw.get("aliases", ())),
                allowlists=_allowlist(raw.get("allowlist"), source=source, where=where),
            )
        )
    return out


def _allowlist(raw: Mapping[str, Any] | None, *, source: str, where: str) -> tuple[Allowlist, ...]:
    """A rule's own allowlist: ``{regexes, regex_target = secret|match|line, stopwords, paths}``."""
    if not raw:
        return ()
    unknown = set(raw) - _ALLOW_KEYS
    if unknown:
        raise ConfigError(f"unknown key {sorted(unknown)[0]!r}", path=source, field=f"{where}.allowlist")
    target = raw.get("regex_target", "secret")
    if target not in ("secret", "match", "line"):
        raise ConfigError(f"regex_target must be secret, match or line, got {target!r}", path=source, field=where)
    return (
        Allowlist(
            description="built-in",
            regexes=tuple(compile_pattern(r, where=f"{where}.allowlist", path=source) for r in raw.get("regexes", ())),
            regex_target=target,
            stopwords=tuple(w.lower() for w in raw.get("stopwords", ())),
            paths=tuple(compile_pattern(r, where=f"{where}.allowlist", path=source) for r in raw.get("paths", ())),
        ),
    )
