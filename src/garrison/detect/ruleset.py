"""The ruleset as data: rule metadata, detection IR per pipeline variant, correlations, and what was refused.

Built once from pySigma (slow: YAML + typed model), then cached (see cache.py) as plain JSON. A variant whose
pipelines are empty uses the base IR; other variants are compiled lazily per rule, the first time an event of
that variant meets the rule, and added to the cache.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from garrison.detect.compile import IR_VERSION, Unsupported, rule_ir
from garrison.detect.rules import Parsed, RuleProblem

LEVELS = ("informational", "low", "medium", "high", "critical")


@dataclass
class RuleSet:
    digest: str
    #: one dict per rule: id, title, level, status, tags, product, category, service, path, kind, output, ...
    meta: list[dict[str, Any]]
    #: base IR per rule (None when unsupported; then ``unsupported[i]`` says why); correlations have None
    base: list[dict[str, Any] | None]
    unsupported: dict[int, str]
    #: correlation IR per rule index
    correlations: dict[int, dict[str, Any]]
    problems: list[RuleProblem]
    #: variant digest -> {rule index -> IR or {"unsupported": reason}}
    variants: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    #: set when a lazily compiled variant added entries (the cache is then rewritten)
    dirty: bool = False
    #: pySigma rule objects by index, when the ruleset was built (or re-parsed) in this process
    sigma_rules: list[Any] | None = None
    reparse: Callable[[], list[Any]] | None = None

    def ir_for(self, index: int, variant_key: str, pipeline: Callable[[], Any] | None) -> dict[str, Any] | str:
        """IR of rule ``index`` under a variant (``variant_key`` "" = no pipelines), or the reason it is unsupported."""
        if not variant_key or pipeline is None:
            ir = self.base[index]
            return ir if ir is not None else self.unsupported.get(index, "unsupported")
        table = self.variants.setdefault(variant_key, {})
        got = table.get(index)
        if got is None:
            got = self._compile_variant(index, pipeline())
            table[index] = got
            self.dirty = True
        if "unsupported" in got:
            return str(got["unsupported"])
        return got

    def _compile_variant(self, index: int, pipeline: Any) -> dict[str, Any]:
        reason = self.unsupported.get(index, "")
        if self.base[index] is None and not reason.startswith("placeholder"):
            # only placeholders can be resolved by a pipeline (its vars); other failures stay failures
            return {"unsupported": reason or "unsupported"}
        if self.sigma_rules is None:
            if self.reparse is None:
                return {"unsupported": "ruleset sources are not available to apply the pipeline"}
            self.sigma_rules = self.reparse()
        rule = copy.deepcopy(self.sigma_rules[index])
        try:
            pipeline.apply(rule)
            return rule_ir(rule)
        except Unsupported as exc:
            return {"unsupported": str(exc)}
        except Exception as exc:  # noqa: BLE001 - a pipeline's failure transformation: a reason, not a crash
            return {"unsupported": f"pipeline: {' '.join(str(exc).split())[:300]}"}

    def to_json(self) -> dict[str, Any]:
        return {
            "ir_version": IR_VERSION,
            "digest": self.digest,
            "meta": self.meta,
            "base": self.base,
            "unsupported": {str(k): v for k, v in self.unsupported.items()},
            "correlations": {str(k): v for k, v in self.correlations.items()},
            "problems": [[p.path, p.reason, p.rule_id, p.title] for p in self.problems],
            "variants": {vk: {str(i): ir for i, ir in t.items()} for vk, t in self.variants.items()},
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> RuleSet:
        return cls(
            digest=doc["digest"],
            meta=doc["meta"],
            base=doc["base"],
            unsupported={int(k): v for k, v in doc["unsupported"].items()},
            correlations={int(k): v for k, v in doc["correlations"].items()},
            problems=[RuleProblem(*p) for p in doc["problems"]],
            variants={vk: {int(i): ir for i, ir in t.items()} for vk, t in doc.get("variants", {}).items()},
        )


def build(parsed: Parsed, digest: str) -> RuleSet:
    """Compile every rule of a parsed collection to base IR (rules that fail become ``unsupported``)."""
    from sigma.correlations import SigmaCorrelationRule

    rules = list(parsed.collection.rules)
    index_of = {id(r): i for i, r in enumerate(rules)}
    meta: list[dict[str, Any]] = []
    base: list[dict[str, Any] | None] = []
    unsupported: dict[int, str] = {}
    correlations: dict[int, dict[str, Any]] = {}
    suppressed: set[int] = set()
    generating: set[int] = set()
    for i, r in enumerate(rules):
        meta.append(_meta(r, i))
        if isinstance(r, SigmaCorrelationRule):
            base.append(None)
            try:
                corr = correlation_ir(r, index_of)
            except Unsupported as exc:
                unsupported[i] = str(exc)
                continue
            correlations[i] = corr
            for ref in corr["rules"]:
                (generating if corr["generate"] else suppressed).add(ref)
            continue
        try:
            base.append(rule_ir(r))
        except Unsupported as exc:
            base.append(None)
            unsupported[i] = str(exc)
        except Exception as exc:  # noqa: BLE001 - pySigma model quirks: report the rule, keep going
            base.append(None)
            unsupported[i] = f"cannot compile: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
    for i in suppressed - generating:
        meta[i]["output"] = False
    rs = RuleSet(digest, meta, base, unsupported, correlations, list(parsed.problems))
    rs.sigma_rules = rules
    return rs


def _meta(r: Any, index: int) -> dict[str, Any]:
    from sigma.correlations import SigmaCorrelationRule

    ls = getattr(r, "logsource", None)
    level = str(r.level) if r.level is not None else "medium"
    if level not in LEVELS:
        level = "medium"
    return {
        "index": index,
        "id": str(r.id) if r.id is not None else (r.name or f"rule-{index}"),
        "name": r.name or "",
        "title": r.title or "",
        "level": level,
        "status": str(r.status) if r.status is not None else "",
        "tags": [str(t) for t in r.tags],
        "description": (r.description or "").strip(),
        "references": [str(x) for x in r.references][:20],
        "falsepositives": [str(x) for x in r.falsepositives][:20],
        "author": r.author or "",
        "path": str(r.source.path) if r.source is not None and r.source.path is not None else "",
        "product": getattr(ls, "product", None),
        "category": getattr(ls, "category", None),
        "service": getattr(ls, "service", None),
        "kind": "correlation" if isinstance(r, SigmaCorrelationRule) else "rule",
        "output": True,
    }


def correlation_ir(r: Any, index_of: dict[int, int]) -> dict[str, Any]:
    """A correlation rule as data: referenced rule indices, window, grouping, aliases and the condition."""
    from sigma.correlations import (
        CorrelationConditionAND,
        CorrelationConditionNOT,
        CorrelationConditionOR,
        SigmaCorrelationCondition,
        SigmaExtendedCorrelationCondition,
        SigmaRuleReference,
    )

    refs: list[int] = []
    ref_names: dict[str, int] = {}
    for ref in r.referenced_rules:
        target = getattr(ref, "rule", None)
        if target is None or id(target) not in index_of:
            raise Unsupported(f"correlation refers to unknown rule {ref.reference!r}")
        idx = index_of[id(target)]
        refs.append(idx)
        ref_names[ref.reference] = idx
    aliases: dict[str, dict[str, str]] = {}
    for alias in r.aliases:
        per: dict[str, str] = {}
        for ref, fname in alias.mapping.items():
            target = getattr(ref, "rule", None)
            if target is not None and id(target) in index_of:
                per[str(index_of[id(target)])] = fname
            elif ref.reference in ref_names:
                per[str(ref_names[ref.reference])] = fname
            else:
                raise Unsupported(f"alias {alias.alias!r} refers to unknown rule {ref.reference!r}")
        aliases[alias.alias] = per
    cond: dict[str, Any]
    if isinstance(r.condition, SigmaCorrelationCondition):
        fieldref = r.condition.fieldref
        cond = {
            "op": r.condition.op.name.lower(),
            "count": r.condition.count,
            "field": fieldref if isinstance(fieldref, str) or fieldref is None else list(fieldref),
            "percentile": r.condition.percentile,
        }
    elif isinstance(r.condition, SigmaExtendedCorrelationCondition):

        def tree(node: Any) -> Any:
            if isinstance(node, SigmaRuleReference):
                if node.reference not in ref_names:
                    raise Unsupported(f"extended condition refers to unknown rule {node.reference!r}")
                return ["ref", ref_names[node.reference]]
            if isinstance(node, CorrelationConditionNOT):
                return ["not", tree(node.args[0])]
            op = "and" if isinstance(node, CorrelationConditionAND) else "or"
            assert isinstance(node, CorrelationConditionAND | CorrelationConditionOR)
            return [op, [tree(a) for a in node.args]]

        cond = {"expr": tree(r.condition.parsed)}
    else:
        raise Unsupported("correlation without a condition")
    span = r.timespan.seconds if r.timespan is not None else None
    if span is None or span <= 0:
        raise Unsupported("correlation without a positive timespan")
    return {
        "type": r.type.name.lower(),
        "rules": refs,
        "group_by": list(r.group_by or []),
        "timespan": span,
        "aliases": aliases,
        "condition": cond,
        "generate": bool(r.generate),
    }
