"""Declarative attribute predicates: the building blocks of most checks.

Each takes an attribute path (dotted; repeated blocks are searched) and returns a predicate with three-valued
logic: an unknown value is UNDECIDED, never a pass or a failure. ``missing`` says what an unset attribute
means (the provider default): ``True`` = fine, ``False`` = a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from garrison.scan.analyzers.iac.checks.base import PASS, UNDECIDED, Fail, Outcome, Predicate
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import MISSING, Resource, is_unknown

Tri = bool | None  # None: undecidable


def truth(value: Any) -> Tri:
    """true/false of a boolean-ish attribute value (``"true"``, ``"Enabled"`` …), None when unknown/other."""
    if is_unknown(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("true", "enabled", "on", "yes", "1"):
            return True
        if v in ("false", "disabled", "off", "no", "0"):
            return False
    if isinstance(value, (int, float)):
        return value != 0
    return None


def unset(value: Any) -> bool:
    return value is MISSING or value is None or value == "" or value == [] or value == {}


def _show(value: Any) -> str:
    if is_unknown(value):
        return "unknown"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def value_check(
    path: str,
    ok: Callable[[Any], Tri],
    *,
    missing: bool,
    message: str | None = None,
) -> Predicate:
    """The general form: ``ok(value)`` decides; an unset attribute is ``missing``."""

    def run(r: Resource, g: Graph) -> Outcome:
        value = r.get(path)
        if unset(value):
            return PASS if missing else Fail(message or f"{path} is not set")
        if is_unknown(value):
            return UNDECIDED
        verdict = ok(value)
        if verdict is None:
            return UNDECIDED
        return PASS if verdict else Fail(message or f"{path} is {_show(value)}")

    return run


def is_true(path: str, *, missing: bool = False, message: str | None = None) -> Predicate:
    return value_check(path, truth, missing=missing, message=message)


def is_false(path: str, *, missing: bool = True, message: str | None = None) -> Predicate:
    def ok(v: Any) -> Tri:
        t = truth(v)
        return None if t is None else not t

    return value_check(path, ok, missing=missing, message=message)


def present(path: str, *, message: str | None = None) -> Predicate:
    """Set to anything (an unknown value or a reference counts as set)."""

    def run(r: Resource, g: Graph) -> Outcome:
        value = r.get(path)
        if is_unknown(value):
            return PASS
        return Fail(message or f"{path} is not set") if unset(value) else PASS

    return run


def absent(path: str, *, message: str | None = None) -> Predicate:
    def run(r: Resource, g: Graph) -> Outcome:
        value = r.get(path)
        if is_unknown(value):
            return UNDECIDED
        return PASS if unset(value) else Fail(message or f"{path} is set to {_show(value)}")

    return run


def equals(path: str, *values: Any, missing: bool = False, message: str | None = None, ci: bool = True) -> Predicate:
    wanted = {_norm(v, ci) for v in values}
    return value_check(path, lambda v: _norm(v, ci) in wanted, missing=missing, message=message)


def not_in(path: str, bad: Iterable[Any], *, missing: bool = True, message: str | None = None) -> Predicate:
    banned = {_norm(v, True) for v in bad}
    return value_check(path, lambda v: _norm(v, True) not in banned, missing=missing, message=message)


def at_least(path: str, n: float, *, missing: bool = False, message: str | None = None) -> Predicate:
    def ok(v: Any) -> Tri:
        num = number(v)
        return None if num is None else num >= n

    return value_check(path, ok, missing=missing, message=message)


def at_most(path: str, n: float, *, missing: bool = True, message: str | None = None) -> Predicate:
    def ok(v: Any) -> Tri:
        num = number(v)
        return None if num is None else num <= n

    return value_check(path, ok, missing=missing, message=message)


def number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


def _norm(v: Any, ci: bool) -> Any:
    if isinstance(v, str):
        return v.lower() if ci else v
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    return repr(v)


def contains_value(path: str, wanted: Any, *, message: str | None = None) -> Predicate:
    """A list attribute must contain ``wanted``."""

    def ok(v: Any) -> Tri:
        items = v if isinstance(v, list) else [v]
        if any(_norm(x, True) == _norm(wanted, True) for x in items if not is_unknown(x)):
            return True
        return None if any(is_unknown(x) for x in items) else False

    return value_check(path, ok, missing=False, message=message)


def tags_present(path: str = "tags") -> Predicate:
    return present(path, message="resource has no tags")
