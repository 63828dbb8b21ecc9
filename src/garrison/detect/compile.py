"""pySigma's typed rule model -> a small, JSON-serialisable intermediate form (IR) that matchers.py turns into closures.

The IR is what the on-disk cache stores (plain lists, strings and numbers: no code). It keeps the rule's
structure: one node tree per named detection ("selection") and a condition tree that refers to them by name,
so an alert can say which selections matched.

Nodes::

    ["and", [node...]] | ["or", [node...]] | ["not", node] | ["const", bool] | ["sel", name]
    ["f", field, matcher]        a field/value test
    ["kw", matcher]              a keyword (field-less) test: true when any field value matches

Matchers (string literals are lowered unless ``cased``)::

    ["eq"|"pre"|"suf"|"in", text, cased]   equality / startswith / endswith / contains
    ["glob", regex, cased]                 a wildcard pattern, translated to an anchored regular expression
    ["re", pattern, flags]                 a user regular expression (unanchored search; flags from i/m/s)
    ["num", n] ["bool", b] ["null"] ["exists", b] ["present"] ["cidr", net] ["cmp", op, n]
    ["ref", other_field, mode]             fieldref (mode eq/pre/suf/in)
    ["tpart", part, n]                     minute/hour/day/week/month/year of a timestamp field
"""

from __future__ import annotations

import re
from typing import Any

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionIdentifier,
    ConditionItem,
    ConditionNOT,
    ConditionOR,
    ConditionSelector,
    ConditionValueExpression,
)
from sigma.rule import SigmaDetections, SigmaRule
from sigma.types import (
    CompareOperators,
    Placeholder,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SigmaTimestampPart,
    SigmaType,
    SpecialChars,
)

Node = list[Any]

#: bump when the IR changes: cached rulesets of another version are recompiled
IR_VERSION = 3


class Unsupported(Exception):
    """The rule uses something the engine cannot evaluate; the reason is shown in the coverage report."""


def rule_ir(rule: SigmaRule) -> dict[str, Any]:
    """Compile the detection part of a (pipeline-processed) rule. Raises :class:`Unsupported`."""
    if rule.errors:
        raise Unsupported(f"invalid rule: {rule.errors[0]}")
    detections: SigmaDetections = rule.detection
    selections: dict[str, Node] = {}
    for name, detection in detections.detections.items():
        try:
            tree = detection.postprocess(detections)
        except Exception as exc:  # noqa: BLE001 - pySigma raises many types; each is a reason to report
            raise Unsupported(f"detection {name!r}: {exc}") from None
        selections[name] = _node(tree) if tree is not None else ["const", False]
    conditions: list[Node] = []
    for cond in detections.parsed_condition:
        try:
            parsed = cond.parse(postprocess=False)
        except Exception as exc:  # noqa: BLE001 - reported as the rule's reason
            raise Unsupported(f"condition {cond.condition!r}: {exc}") from None
        conditions.append(_condition(parsed, detections))
    condition = conditions[0] if len(conditions) == 1 else ["or", conditions]
    return {"selections": selections, "condition": condition}


def _condition(item: Any, detections: SigmaDetections) -> Node:
    if isinstance(item, ConditionIdentifier):
        if item.identifier not in detections.detections:
            raise Unsupported(f"condition refers to undefined detection {item.identifier!r}")
        return ["sel", item.identifier]
    if isinstance(item, ConditionSelector):
        ids = item.resolve_referenced_detections(detections)
        if not ids:
            raise Unsupported(f"selector '{item.args[0]} of {item.pattern}' matches no detection")
        kids = [["sel", i.identifier] for i in ids]
        return ["and" if item.cond_class is ConditionAND else "or", kids]
    if isinstance(item, ConditionNOT):
        return ["not", _condition(item.args[0], detections)]
    if isinstance(item, ConditionAND | ConditionOR):
        op = "and" if isinstance(item, ConditionAND) else "or"
        return [op, [_condition(a, detections) for a in item.args]]
    raise Unsupported(f"unsupported condition element {type(item).__name__}")


def _node(item: Any) -> Node:
    if isinstance(item, ConditionAND | ConditionOR):
        op = "and" if isinstance(item, ConditionAND) else "or"
        return [op, [_node(a) for a in item.args]]
    if isinstance(item, ConditionNOT):
        return ["not", _node(item.args[0])]
    if isinstance(item, ConditionFieldEqualsValueExpression):
        return _field_value(item.field, item.value)
    if isinstance(item, ConditionValueExpression):
        return _keyword(item.value)
    if isinstance(item, ConditionItem):
        raise Unsupported(f"unsupported condition element {type(item).__name__}")
    raise Unsupported(f"unsupported detection element {type(item).__name__}")


def _field_value(field: str, value: SigmaType) -> Node:
    if isinstance(value, SigmaExpansion):
        return ["or", [_field_value(field, v) for v in value.values]]
    return ["f", field, value_matcher(value)]


def _keyword(value: SigmaType) -> Node:
    if isinstance(value, SigmaExpansion):
        return ["or", [_keyword(v) for v in value.values]]
    if isinstance(value, SigmaString):
        # full-text search: a keyword matches anywhere inside a value
        s = value
        if not s.startswith(SpecialChars.WILDCARD_MULTI):
            s = SpecialChars.WILDCARD_MULTI + s
        if not s.endswith(SpecialChars.WILDCARD_MULTI):
            s = s + SpecialChars.WILDCARD_MULTI
        if isinstance(value, SigmaCasedString):
            s = SigmaCasedString.from_sigma_string(s)
        return ["kw", string_matcher(s)]
    if isinstance(value, SigmaNumber) and not isinstance(value, SigmaTimestampPart):
        return ["kw", ["in", str(value.number), False]]
    if isinstance(value, SigmaRegularExpression):
        return ["kw", _regex(value)]
    raise Unsupported(f"keyword of type {type(value).__name__} is not supported")


def value_matcher(value: SigmaType) -> list[Any]:
    if isinstance(value, SigmaString):
        return string_matcher(value)
    if isinstance(value, SigmaTimestampPart):
        return ["tpart", value.timestamp_part.name.lower(), value.number]
    if isinstance(value, SigmaNumber):
        return ["num", value.number]
    if isinstance(value, SigmaBool):
        return ["bool", bool(value.boolean)]
    if isinstance(value, SigmaNull):
        return ["null"]
    if isinstance(value, SigmaExists):
        return ["exists", bool(value.exists)]
    if isinstance(value, SigmaRegularExpression):
        return _regex(value)
    if isinstance(value, SigmaCIDRExpression):
        return ["cidr", str(value.network)]
    if isinstance(value, SigmaCompareExpression):
        return ["cmp", _CMP[value.op], value.number.number]
    if isinstance(value, SigmaFieldReference):
        mode = (
            "in"
            if value.starts_with and value.ends_with
            else "pre"
            if value.starts_with
            else "suf"
            if value.ends_with
            else "eq"
        )
        # pySigma's contains/startswith/endswith on a field reference mean: the value *contains* the other
        # field (starts_with = wildcard after it -> the value starts with the other field's value)
        return ["ref", value.field, mode]
    raise Unsupported(f"value type {type(value).__name__} is not supported by the in-process engine")


_CMP = {
    CompareOperators.LT: "lt",
    CompareOperators.LTE: "lte",
    CompareOperators.GT: "gt",
    CompareOperators.GTE: "gte",
    CompareOperators.NEQ: "neq",
}


def string_matcher(value: SigmaString) -> list[Any]:
    cased = isinstance(value, SigmaCasedString)
    parts = list(value.s)
    for p in parts:
        if isinstance(p, Placeholder):
            raise Unsupported(f"placeholder %{p.name}% has no values (define it in a pipeline's vars)")

    def norm(t: str) -> str:
        return t if cased else t.lower()

    star, one = SpecialChars.WILDCARD_MULTI, SpecialChars.WILDCARD_SINGLE
    if not parts:
        return ["eq", "", cased]
    if all(isinstance(p, str) for p in parts):
        return ["eq", norm("".join(p for p in parts if isinstance(p, str))), cased]
    if all(p is star for p in parts):
        return ["present"]
    inner = parts
    lead = inner[0] is star
    trail = inner[-1] is star and len(inner) > 1
    core = inner[(1 if lead else 0) : (len(inner) - 1 if trail else len(inner))]
    if len(core) == 1 and isinstance(core[0], str):
        text = norm(core[0])
        if lead and trail:
            return ["in", text, cased]
        if lead:
            return ["suf", text, cased]
        if trail:
            return ["pre", text, cased]
    out = []
    for p in parts:
        if p is star:
            out.append(".*")
        elif p is one:
            out.append(".")
        else:
            out.append(re.escape(norm(str(p))))
    return ["glob", "".join(out), cased]


def _regex(value: SigmaRegularExpression) -> list[Any]:
    for p in value.regexp.s:
        if isinstance(p, Placeholder):
            raise Unsupported(f"placeholder %{p.name}% in a regular expression has no values")
    flags = ""
    if SigmaRegularExpressionFlag.IGNORECASE in value.flags:
        flags += "i"
    if SigmaRegularExpressionFlag.MULTILINE in value.flags:
        flags += "m"
    if SigmaRegularExpressionFlag.DOTALL in value.flags:
        flags += "s"
    return ["re", str(value.regexp), flags]
