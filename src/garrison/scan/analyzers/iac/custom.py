"""User-defined checks: declarative YAML conditions, CEL expressions, and Python checks from entry points.

A YAML file in the configured directory holds one check or ``checks: [...]``::

    id: acme.s3-owner-tag
    title: S3 buckets carry an Owner tag
    severity: medium
    resource_types: [aws_s3_bucket, AWS::S3::Bucket]
    condition:                      # what a compliant resource satisfies
      and:
        - {attribute: tags.Owner, operator: exists}
        - not: {attribute: acl, operator: in, value: [public-read, public-read-write]}
    # or instead of condition:
    cel: 'resource.attributes.versioning[0].enabled == true'

Unknown values make a condition undecided (three-valued logic), never a pass or a failure. Regular expressions
(``matches``) are compiled with RE2, so a user's pattern cannot make the scan hang. Python checks are
``Check`` values exposed under the ``garrison.iac_checks`` entry-point group.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from garrison.core.errors import ConfigError
from garrison.core.severity import Severity
from garrison.policy.yamlsafe import load_yaml
from garrison.scan.analyzers.iac.checks.base import PASS, UNDECIDED, Check, Fail, Outcome, frameworks
from garrison.scan.analyzers.iac.graph import Graph
from garrison.scan.analyzers.iac.model import MISSING, Resource, contains_unknown, is_unknown, lookup_all

ENTRY_POINT_GROUP = "garrison.iac_checks"
Tri = bool | None
Cond = Callable[[Resource], Tri]

_OPERATORS = (
    "exists",
    "not_exists",
    "equals",
    "not_equals",
    "in",
    "not_in",
    "contains",
    "not_contains",
    "greater_than",
    "greater_or_equal",
    "less_than",
    "less_or_equal",
    "matches",
    "not_matches",
    "is_true",
    "is_false",
)
_KEYS = {
    "id",
    "title",
    "severity",
    "resource_types",
    "description",
    "remediation",
    "references",
    "frameworks",
    "condition",
    "cel",
    "message",
}


def load_custom_checks(directory: Path, builtin_ids: set[str]) -> list[Check]:
    if not directory.is_dir():
        raise ConfigError("custom checks directory not found", path=str(directory))
    out: list[Check] = []
    seen = set(builtin_ids)
    for path in sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()):
        data, _ = load_yaml(path)
        items = data.get("checks") if isinstance(data, dict) and "checks" in data else [data]
        if not isinstance(items, list):
            raise ConfigError("checks: expected a list", path=str(path))
        for i, item in enumerate(items):
            where = f"checks[{i}]" if isinstance(data, dict) and "checks" in data else ""
            c = _check_from(item, str(path), where)
            if c.id in seen:
                raise ConfigError(f"duplicate check id {c.id!r}", path=str(path), field=_f(where, "id"))
            seen.add(c.id)
            out.append(c)
    return out


def _f(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _check_from(item: Any, source: str, where: str) -> Check:
    if not isinstance(item, dict):
        raise ConfigError("expected a mapping", path=source, field=where or None)
    unknown = set(item) - _KEYS
    if unknown:
        raise ConfigError("unknown key", path=source, field=_f(where, sorted(unknown)[0]))
    for key in ("id", "title", "severity", "resource_types"):
        if key not in item:
            raise ConfigError("missing", path=source, field=_f(where, key))
    cid = item["id"]
    if not isinstance(cid, str) or not cid.strip():
        raise ConfigError("expected a non-empty string", path=source, field=_f(where, "id"))
    try:
        severity = Severity.parse(str(item["severity"]))
    except Exception:  # noqa: BLE001
        raise ConfigError(f"unknown severity {item['severity']!r}", path=source, field=_f(where, "severity")) from None
    types = item["resource_types"]
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        raise ConfigError("expected a list of resource types", path=source, field=_f(where, "resource_types"))
    has_cond, has_cel = "condition" in item, "cel" in item
    if has_cond == has_cel:
        raise ConfigError("give exactly one of condition or cel", path=source, field=where or None)
    message = str(item.get("message") or item["title"])
    if has_cond:
        cond = compile_condition(item["condition"], source, _f(where, "condition"))
        predicate = _from_condition(cond, message)
    else:
        if not isinstance(item["cel"], str):
            raise ConfigError("expected a CEL expression string", path=source, field=_f(where, "cel"))
        predicate = _from_cel(item["cel"], message, source, _f(where, "cel"))
    fws = item.get("frameworks") or []
    refs = item.get("references") or []
    if not isinstance(fws, list) or not all(isinstance(x, str) and ":" in x for x in fws):
        raise ConfigError("expected a list of 'FRAMEWORK:CONTROL' strings", path=source, field=_f(where, "frameworks"))
    if not isinstance(refs, list) or not all(isinstance(x, str) for x in refs):
        raise ConfigError("expected a list of strings", path=source, field=_f(where, "references"))
    return Check(
        id=cid,
        title=str(item["title"]),
        severity=severity,
        applies_to=frozenset(types),
        predicate=predicate,
        description=str(item.get("description") or item["title"]),
        remediation=str(item.get("remediation") or ""),
        references=tuple(refs),
        frameworks=frameworks(*fws),
        platform="custom",
    )


def _from_condition(cond: Cond, message: str) -> Callable[[Resource, Graph], Outcome]:
    def run(r: Resource, g: Graph) -> Outcome:
        v = cond(r)
        if v is None:
            return UNDECIDED
        return PASS if v else Fail(message)

    return run


# ---- declarative conditions (three-valued) ---------------------------------------------------------------


def compile_condition(spec: Any, source: str, where: str, depth: int = 0) -> Cond:
    if depth > 32:
        raise ConfigError("condition nested too deeply", path=source, field=where)
    if not isinstance(spec, dict):
        raise ConfigError("expected a mapping (attribute/operator/value, and, or, not)", path=source, field=where)
    if "and" in spec or "or" in spec:
        key = "and" if "and" in spec else "or"
        parts = spec[key]
        if not isinstance(parts, list) or not parts or len(spec) != 1:
            raise ConfigError(f"{key}: expected a non-empty list", path=source, field=f"{where}.{key}")
        subs = [compile_condition(p, source, f"{where}.{key}[{i}]", depth + 1) for i, p in enumerate(parts)]
        return _and(subs) if key == "and" else _or(subs)
    if "not" in spec:
        if len(spec) != 1:
            raise ConfigError("not: must be alone in its mapping", path=source, field=where)
        inner = compile_condition(spec["not"], source, f"{where}.not", depth + 1)
        return lambda r: None if (v := inner(r)) is None else not v
    return _leaf(spec, source, where)


def _and(subs: list[Cond]) -> Cond:
    def run(r: Resource) -> Tri:
        vals = [s(r) for s in subs]
        if any(v is False for v in vals):
            return False
        return True if all(v is True for v in vals) else None

    return run


def _or(subs: list[Cond]) -> Cond:
    def run(r: Resource) -> Tri:
        vals = [s(r) for s in subs]
        if any(v is True for v in vals):
            return True
        return False if all(v is False for v in vals) else None

    return run


def _leaf(spec: dict[str, Any], source: str, where: str) -> Cond:
    extra = set(spec) - {"attribute", "operator", "value"}
    if extra:
        raise ConfigError("unknown key", path=source, field=f"{where}.{sorted(extra)[0]}")
    attr = spec.get("attribute")
    op = spec.get("operator")
    if not isinstance(attr, str) or not attr:
        raise ConfigError("expected an attribute path", path=source, field=f"{where}.attribute")
    if op not in _OPERATORS:
        raise ConfigError(
            f"unknown operator {op!r} (one of {', '.join(_OPERATORS)})", path=source, field=f"{where}.operator"
        )
    needs_value = op not in ("exists", "not_exists", "is_true", "is_false")
    if needs_value and "value" not in spec:
        raise ConfigError("missing", path=source, field=f"{where}.value")
    value = spec.get("value")
    if op in ("in", "not_in") and not isinstance(value, list):
        raise ConfigError("expected a list", path=source, field=f"{where}.value")
    regex: Any = None
    if op in ("matches", "not_matches"):
        import re2

        if not isinstance(value, str):
            raise ConfigError("expected a regular expression string", path=source, field=f"{where}.value")
        try:
            regex = re2.compile(value)
        except Exception as exc:  # noqa: BLE001 - re2.error
            raise ConfigError(f"invalid regular expression: {exc}", path=source, field=f"{where}.value") from None

    def values(r: Resource) -> list[Any]:
        return lookup_all(r.attributes, attr)

    def test(v: Any) -> Tri:
        if is_unknown(v):
            return None
        if op == "equals":
            return _eq(v, value)
        if op == "in":
            return any(_eq(v, x) for x in (value or []))
        if op == "contains":
            if isinstance(v, list):
                if any(_eq(x, value) for x in v if not is_unknown(x)):
                    return True
                return None if any(is_unknown(x) for x in v) else False
            if isinstance(v, dict):
                return str(value) in v
            return isinstance(v, str) and str(value) in v
        if op in ("greater_than", "greater_or_equal", "less_than", "less_or_equal"):
            a, b = _num(v), _num(value)
            if a is None or b is None:
                return False
            return {"greater_than": a > b, "greater_or_equal": a >= b, "less_than": a < b, "less_or_equal": a <= b}[op]
        if op == "matches":
            return isinstance(v, str) and regex.search(v) is not None
        if op in ("is_true", "is_false"):
            t = (
                v
                if isinstance(v, bool)
                else (v.lower() == "true" if isinstance(v, str) and v.lower() in ("true", "false") else None)
            )
            if t is None:
                return False
            return t if op == "is_true" else not t
        raise AssertionError(op)

    negated = {"not_equals": "equals", "not_in": "in", "not_contains": "contains", "not_matches": "matches"}

    def run(r: Resource) -> Tri:
        found = [v for v in values(r) if v is not MISSING]
        if op == "exists":
            return bool(any(v is not None for v in found))
        if op == "not_exists":
            return not any(v is not None for v in found)
        if not found:
            return op in negated
        base = negated.get(op)
        if base is not None:
            inner = _leaf({"attribute": attr, "operator": base, "value": value}, source, where)
            v = inner(r)
            return None if v is None else not v
        results = [test(v) for v in found]
        if any(x is True for x in results):
            return True
        return None if any(x is None for x in results) else False

    return run


def _eq(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (isinstance(a, str) and str(b).lower() == a.lower())
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return (
        bool(a == b)
        or (isinstance(a, (int, float)) and str(a) == str(b))
        or (isinstance(b, (int, float)) and str(b) == str(a))
    )


def _num(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v))
    except ValueError:
        return None


# ---- CEL ---------------------------------------------------------------------------------------------------

_SENTINEL = "\x00garrison-unknown\x00"


def _from_cel(expression: str, message: str, source: str, where: str) -> Callable[[Resource, Graph], Outcome]:
    import cel

    try:
        program = cel.compile(expression)
    except Exception as exc:  # noqa: BLE001 - the CEL library raises plain exceptions
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise ConfigError(f"invalid CEL expression: {first}", path=source, field=where) from None

    def run(r: Resource, g: Graph) -> Outcome:
        # Unknown values are substituted by several values of different types (null, true, false, 0, a
        # sentinel string): a result that depends on them differs between the runs and is undecided.
        results = []
        variants: tuple[Any, ...] = (None, True, False, 0, _SENTINEL) if contains_unknown(r.attributes) else (None,)
        for variant in variants:
            view = {
                "type": r.type,
                "name": r.name,
                "address": r.address,
                "path": r.path,
                "platform": r.platform,
                "attributes": _plain(r.attributes, variant, 0),
            }
            try:
                results.append(program.execute(cel.Context({"resource": view})))
            except Exception:  # noqa: BLE001 - a missing key etc.: undecidable for this resource
                results.append(None)
        first = results[0]
        if not all(isinstance(x, bool) and x == first for x in results):
            return UNDECIDED
        return PASS if first else Fail(message)

    return run


def _plain(value: Any, unknown: Any, depth: int) -> Any:
    if depth > 64:
        return unknown
    if is_unknown(value):
        return unknown
    if isinstance(value, dict):
        return {str(k): _plain(v, unknown, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, unknown, depth + 1) for v in value]
    return value


# ---- entry points --------------------------------------------------------------------------------------------


def entry_point_checks(taken: set[str]) -> tuple[list[Check], list[str]]:
    """Python checks from installed distributions (the ``garrison.iac_checks`` entry-point group): each entry
    point is a list of :class:`Check` values or a callable returning one.

    A plugin that fails to load, provides something that is not a Check, or reuses a taken id is reported
    (the returned messages become analyzer errors) and skipped; the built-in and other checks still run."""
    out: list[Check] = []
    errors: list[str] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            obj = ep.load()
            items: Iterable[Any] = obj() if callable(obj) else obj
            loaded = list(items)
        except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, not a traceback
            errors.append(f"IaC checks plugin {ep.name!r} ({ep.value}) failed to load: {type(exc).__name__}: {exc}")
            continue
        for c in loaded:
            if not isinstance(c, Check):
                errors.append(f"IaC checks plugin {ep.name!r} provided {type(c).__name__}, expected a Check; skipped")
            elif c.id in taken:
                errors.append(f"IaC checks plugin {ep.name!r}: check id {c.id!r} is already taken; skipped")
            else:
                taken.add(c.id)
                out.append(c)
    return out, errors
