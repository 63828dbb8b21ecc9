"""Static evaluation of Terraform expressions.

What can be known before ``terraform apply`` is computed (literals, variables with defaults or tfvars values,
locals, string templates, ``count.index``/``each.*``, the common built-in functions); everything else is
:data:`UNKNOWN`, and references to other resources become :class:`Ref` values so that checks can follow the
graph. Nothing is guessed: an operation with an unknown operand is unknown. Work is bounded by a step budget
and collection/string size caps, so hostile input ends in :class:`EvalError`, never a hang.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Iterator
from typing import Any

from garrison.scan.analyzers.iac.model import UNKNOWN, Partial, Ref, contains_unknown, is_unknown
from garrison.scan.analyzers.iac.parsers.hcl import (
    BinOp,
    Call,
    Cond,
    Directive,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Lit,
    ObjectExpr,
    Splat,
    Template,
    TupleExpr,
    Unary,
    Var,
)

MAX_STEPS = 2_000_000
MAX_COLLECTION = 10_000
MAX_STRING = 1_000_000

#: root names that are not resource types
_SPECIAL_ROOTS = frozenset({"var", "local", "module", "data", "count", "each", "path", "terraform", "self"})


class EvalError(Exception):
    """Evaluation budget exceeded (hostile or pathological input)."""


class _TypeRef:
    """``aws_s3_bucket`` alone: waiting for ``.name`` to become a :class:`Ref`."""

    __slots__ = ("prefix",)

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix


class Budget:
    __slots__ = ("steps",)

    def __init__(self, steps: int = MAX_STEPS) -> None:
        self.steps = steps

    def spend(self, n: int = 1) -> None:
        self.steps -= n
        if self.steps < 0:
            raise EvalError("evaluation budget exceeded")


class Scope:
    """What names mean while evaluating one module instance."""

    def __init__(
        self,
        *,
        variables: dict[str, Any],
        locals_: dict[str, Expr],
        module_path: str,
        module_prefix: str,
        budget: Budget,
    ) -> None:
        self.variables = variables
        self.locals_exprs = locals_
        self.local_values: dict[str, Any] = {}
        self._resolving: set[str] = set()
        self.module_path = module_path
        self.module_prefix = module_prefix
        self.budget = budget
        self.frames: list[dict[str, Any]] = []
        self.refs: set[str] = set()
        self.undecidable = 0

    # -- name lookup --
    def local(self, name: str) -> tuple[Any, set[str]]:
        """A local's value and the references it was computed from (evaluated once, cycles are unknown)."""
        if name in self.local_values:
            cached: tuple[Any, set[str]] = self.local_values[name]
            return cached
        expr = self.locals_exprs.get(name)
        if expr is None or name in self._resolving:
            return UNKNOWN, set()
        self._resolving.add(name)
        saved_refs, saved_frames = self.refs, self.frames
        self.refs, self.frames = set(), []
        try:
            value = evaluate(expr, self)
        finally:
            local_refs = self.refs
            self.refs, self.frames = saved_refs, saved_frames
            self._resolving.discard(name)
        self.local_values[name] = (value, local_refs)
        return value, local_refs

    def lookup_frame(self, name: str) -> tuple[bool, Any]:
        for frame in reversed(self.frames):
            if name in frame:
                return True, frame[name]
        return False, None

    def with_frame(self, frame: dict[str, Any]) -> _FrameCtx:
        return _FrameCtx(self, frame)

    def ref(self, address: str, attribute: str = "") -> Ref:
        full = self.module_prefix + address
        self.refs.add(full)
        return Ref(full, attribute)


class _FrameCtx:
    def __init__(self, scope: Scope, frame: dict[str, Any]) -> None:
        self.scope, self.frame = scope, frame

    def __enter__(self) -> None:
        self.scope.frames.append(self.frame)

    def __exit__(self, *exc: object) -> None:
        self.scope.frames.pop()


def evaluate(expr: Expr, scope: Scope) -> Any:
    scope.budget.spend()
    if isinstance(expr, Lit):
        return expr.value
    if isinstance(expr, Template):
        return _template(expr.parts, scope)
    if isinstance(expr, Var):
        return _var(expr.name, scope)
    if isinstance(expr, GetAttr):
        return _get_attr(evaluate(expr.obj, scope), expr.name, scope)
    if isinstance(expr, Index):
        return _index(evaluate(expr.obj, scope), evaluate(expr.key, scope), scope)
    if isinstance(expr, TupleExpr):
        items = [evaluate(i, scope) for i in expr.items]
        _cap(len(items))
        return items
    if isinstance(expr, ObjectExpr):
        obj: dict[str, Any] = {}
        for k, v in expr.items:
            key = evaluate(k, scope)
            value = evaluate(v, scope)
            if is_unknown(key) or not isinstance(key, (str, int, float, bool)):
                return UNKNOWN
            obj[_str(key)] = value
        return obj
    if isinstance(expr, Cond):
        c = evaluate(expr.cond, scope)
        if c is True:
            return evaluate(expr.then, scope)
        if c is False:
            return evaluate(expr.other, scope)
        # evaluate both branches for their references, but the value is unknown
        a = evaluate(expr.then, scope)
        b = evaluate(expr.other, scope)
        return a if _same(a, b) else UNKNOWN
    if isinstance(expr, BinOp):
        return _binop(expr.op, expr.left, expr.right, scope)
    if isinstance(expr, Unary):
        v = evaluate(expr.expr, scope)
        if is_unknown(v):
            return UNKNOWN
        if expr.op == "!":
            return (not v) if isinstance(v, bool) else UNKNOWN
        return -v if isinstance(v, (int, float)) and not isinstance(v, bool) else UNKNOWN
    if isinstance(expr, Call):
        return _call(expr, scope)
    if isinstance(expr, ForExpr):
        return _for(expr, scope)
    if isinstance(expr, Splat):
        return _splat(expr, scope)
    return UNKNOWN


def _same(a: Any, b: Any) -> bool:
    if is_unknown(a) or is_unknown(b):
        return False
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:  # noqa: BLE001
        return False


def _cap(n: int) -> None:
    if n > MAX_COLLECTION:
        raise EvalError(f"collection too large to evaluate ({n} elements, limit {MAX_COLLECTION})")


def _str(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _var(name: str, scope: Scope) -> Any:
    found, value = scope.lookup_frame(name)
    if found:
        return value
    if name == "var":
        return _Namespace("var")
    if name == "local":
        return _Namespace("local")
    if name == "path":
        return {"module": scope.module_path, "root": ".", "cwd": "."}
    if name in ("module", "data"):
        return _TypeRef(name)
    if name in ("count", "each", "self", "terraform"):
        return UNKNOWN
    return _TypeRef(name)


class _Namespace:
    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind


def _get_attr(obj: Any, name: str, scope: Scope) -> Any:
    if isinstance(obj, _Namespace):
        if obj.kind == "var":
            return scope.variables.get(name, UNKNOWN)
        value, refs = scope.local(name)
        scope.refs |= refs
        return value
    if isinstance(obj, _TypeRef):
        if obj.prefix == "module":
            return scope.ref(f"module.{name}")
        if obj.prefix == "data":
            return _TypeRef(f"data.{name}")
        return scope.ref(f"{obj.prefix}.{name}")
    if isinstance(obj, Ref):
        return Ref(obj.address, f"{obj.attribute}.{name}" if obj.attribute else name)
    if is_unknown(obj):
        return UNKNOWN
    if isinstance(obj, dict):
        return obj.get(name, UNKNOWN)
    return UNKNOWN


def _index(obj: Any, key: Any, scope: Scope) -> Any:
    if isinstance(obj, Ref):
        return obj if not obj.attribute else Ref(obj.address, obj.attribute)
    if is_unknown(obj) or is_unknown(key):
        return UNKNOWN
    if isinstance(obj, list):
        if isinstance(key, float) and key.is_integer():
            key = int(key)
        if isinstance(key, str) and key.isdigit():
            key = int(key)
        if isinstance(key, int) and not isinstance(key, bool) and 0 <= key < len(obj):
            return obj[key]
        return UNKNOWN
    if isinstance(obj, dict):
        return obj.get(_str(key), UNKNOWN)
    return UNKNOWN


def _splat(expr: Splat, scope: Scope) -> Any:
    base = evaluate(expr.obj, scope)
    if isinstance(base, Ref):
        out: Any = base
        for kind, arg in expr.ops:
            out = _get_attr(out, arg, scope) if kind == "attr" else out
        return [out]
    if is_unknown(base):
        return UNKNOWN
    items = base if isinstance(base, list) else ([] if base is None else [base])
    result = []
    for item in items:
        v = item
        for kind, arg in expr.ops:
            v = _get_attr(v, arg, scope) if kind == "attr" else _index(v, evaluate(arg, scope), scope)
        result.append(v)
    return result


def _template(parts: list[Any], scope: Scope) -> Any:
    if len(parts) == 1 and isinstance(parts[0], Expr) and not isinstance(parts[0], Directive):
        return evaluate(parts[0], scope)  # "${x}" is x itself, whatever its type
    out: list[str] = []
    fragments: list[str] = []  # the known runs between unknown interpolations
    unknown = False
    for chunk in _render(parts, scope):
        if chunk is None:
            unknown = True
            fragments.append("".join(out))
            out = []
        else:
            out.append(chunk)
            if sum(map(len, out)) + sum(map(len, fragments)) > MAX_STRING:
                raise EvalError("string too large to evaluate")
    if not unknown:
        return "".join(out)
    fragments.append("".join(out))
    known = tuple(f for f in fragments if f)
    return Partial(known) if known else UNKNOWN


def _render(parts: list[Any], scope: Scope) -> Iterator[str | None]:
    for p in parts:
        if isinstance(p, str):
            yield p
        elif isinstance(p, Directive):
            yield from _directive(p, scope)
        else:
            v = evaluate(p, scope)
            if is_unknown(v) or isinstance(v, (list, dict)) or v is None:
                yield None
            else:
                yield _str(v)


def _directive(d: Directive, scope: Scope) -> Iterator[str | None]:
    if d.kind == "if":
        assert d.cond is not None
        c = evaluate(d.cond, scope)
        if c is True:
            yield from _render(d.then, scope)
        elif c is False:
            yield from _render(d.other, scope)
        else:
            list(_render(d.then, scope))
            list(_render(d.other, scope))
            yield None
        return
    assert d.coll is not None
    coll = evaluate(d.coll, scope)
    pairs = _iter_pairs(coll)
    if pairs is None:
        yield None
        return
    for k, v in pairs:
        frame = {d.value: v}
        if d.key:
            frame[d.key] = k
        with scope.with_frame(frame):
            yield from _render(d.then, scope)


def _iter_pairs(coll: Any) -> list[tuple[Any, Any]] | None:
    if is_unknown(coll):
        return None
    if isinstance(coll, list):
        _cap(len(coll))
        return list(enumerate(coll))
    if isinstance(coll, dict):
        _cap(len(coll))
        return sorted(coll.items())
    return None


def _for(expr: ForExpr, scope: Scope) -> Any:
    coll = evaluate(expr.coll, scope)
    pairs = _iter_pairs(coll)
    if pairs is None:
        # still walk the body once for references
        frame = {expr.value_var: UNKNOWN}
        if expr.key_var:
            frame[expr.key_var] = UNKNOWN
        with scope.with_frame(frame):
            evaluate(expr.value_expr, scope)
        return UNKNOWN
    is_object = expr.key_expr is not None
    out_list: list[Any] = []
    out_obj: dict[str, Any] = {}
    for k, v in pairs:
        scope.budget.spend()
        frame = {expr.value_var: v}
        if expr.key_var:
            frame[expr.key_var] = k
        with scope.with_frame(frame):
            if expr.cond is not None:
                c = evaluate(expr.cond, scope)
                if c is False:
                    continue
                if c is not True:
                    return UNKNOWN
            value = evaluate(expr.value_expr, scope)
            if is_object:
                assert expr.key_expr is not None
                key = evaluate(expr.key_expr, scope)
                if is_unknown(key) or isinstance(key, (list, dict)) or key is None:
                    return UNKNOWN
                if expr.group:
                    out_obj.setdefault(_str(key), []).append(value)
                else:
                    out_obj[_str(key)] = value
            else:
                out_list.append(value)
    return out_obj if is_object else out_list


_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "%": lambda a, b: math.fmod(a, b),
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _num(v: Any) -> Any:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        try:
            return int(v)
        except ValueError:
            try:
                return float(v)
            except ValueError:
                return None
    return None


def _binop(op: str, left: Expr, right: Expr, scope: Scope) -> Any:
    a = evaluate(left, scope)
    if op == "&&" and a is False:
        evaluate(right, scope)
        return False
    if op == "||" and a is True:
        evaluate(right, scope)
        return True
    b = evaluate(right, scope)
    if op in ("&&", "||"):
        if is_unknown(a) or is_unknown(b):
            if op == "&&" and b is False:
                return False
            if op == "||" and b is True:
                return True
            return UNKNOWN
        if not isinstance(a, bool) or not isinstance(b, bool):
            return UNKNOWN
        return (a and b) if op == "&&" else (a or b)
    if is_unknown(a) or is_unknown(b) or contains_unknown(a) or contains_unknown(b):
        return UNKNOWN
    if op == "==":
        return _equal(a, b)
    if op == "!=":
        return not _equal(a, b)
    x, y = _num(a), _num(b)
    if x is None or y is None:
        return UNKNOWN
    try:
        result = _ARITH[op](x, y)
    except (ZeroDivisionError, OverflowError, ValueError, KeyError):
        return UNKNOWN
    if isinstance(result, float) and result.is_integer() and op != "/":
        return int(result)
    return result


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return bool(a == b)
    return bool(a == b)


def _call(expr: Call, scope: Scope) -> Any:
    name = expr.name.split("::")[-1]
    if name in ("try", "can"):
        return _try(expr, scope, name)
    args = [evaluate(a, scope) for a in expr.args]
    if expr.expand and args:
        last = args.pop()
        if is_unknown(last) or not isinstance(last, list):
            return UNKNOWN
        args.extend(last)
    fn = FUNCTIONS.get(name)
    if fn is None:
        return UNKNOWN
    if name == "coalesce":
        return _coalesce(args)
    if name in _ENCODERS and len(args) == 1 and isinstance(args[0], (dict, list)) and contains_unknown(args[0]):
        # jsonencode({... Resource = aws_s3_bucket.x.arn ...}): the text is unknown until apply, but the
        # document's structure is known; checks read policies and container definitions as structures
        return args[0]
    if name in _STRUCTURAL:
        if any(is_unknown(a) for a in args):
            return UNKNOWN
    elif any(contains_unknown(a) for a in args):
        return UNKNOWN
    try:
        result = fn(*args)
    except EvalError:
        raise
    except Exception:  # noqa: BLE001 - a function Terraform would reject: the value is unknown
        return UNKNOWN
    if isinstance(result, (list, dict)):
        _cap(len(result))
    if isinstance(result, str) and len(result) > MAX_STRING:
        raise EvalError("string too large to evaluate")
    return result


def _try(expr: Call, scope: Scope, name: str) -> Any:
    for a in expr.args:
        v = evaluate(a, scope)
        if is_unknown(v):
            return UNKNOWN
        return True if name == "can" else v
    return UNKNOWN


def _coalesce(args: list[Any]) -> Any:
    for a in args:
        if is_unknown(a):
            return UNKNOWN
        if a is not None and a != "":
            return a
    return UNKNOWN


def _format(fmt: str, *args: Any) -> str:
    out: list[str] = []
    i = 0
    ai = 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        j = i + 1
        while j < len(fmt) and fmt[j] in "0123456789.-+# ":
            j += 1
        if j >= len(fmt):
            raise ValueError("bad format")
        verb = fmt[j]
        if verb == "%":
            out.append("%")
        else:
            arg = args[ai]
            ai += 1
            spec = fmt[i + 1 : j]
            if verb == "d":
                out.append(("%" + spec + "d") % int(arg))
            elif verb in "fFeEgG":
                out.append(("%" + spec + verb) % float(arg))
            elif verb == "q":
                out.append(json.dumps(_str(arg)))
            elif verb == "t":
                out.append(_str(arg))
            else:
                out.append(("%" + spec + "s") % _str(arg) if not isinstance(arg, (list, dict)) else json.dumps(arg))
        i = j + 1
    return "".join(out)


_ENCODERS = frozenset({"jsonencode", "yamlencode", "tojson"})


def _jsonencode(v: Any) -> str:
    return json.dumps(v, separators=(",", ":"), sort_keys=False)


def _jsondecode(s: str) -> Any:
    if len(s) > MAX_STRING:
        raise EvalError("string too large to evaluate")
    return json.loads(s)


def _lookup(m: dict[str, Any], k: str, *default: Any) -> Any:
    if k in m:
        return m[k]
    if default:
        return default[0]
    raise KeyError(k)


def _merge(*maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in maps:
        if m is None:
            continue
        if not isinstance(m, dict):
            raise TypeError("merge of a non-map")
        out.update(m)
    return out


def _concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for lst in lists:
        if not isinstance(lst, list):
            raise TypeError("concat of a non-list")
        out.extend(lst)
        _cap(len(out))
    return out


def _flatten(v: list[Any], depth: int = 0) -> list[Any]:
    out: list[Any] = []
    for x in v:
        if isinstance(x, list):
            if depth > 32:
                raise EvalError("flatten nested too deeply")
            out.extend(_flatten(x, depth + 1))
        else:
            out.append(x)
        _cap(len(out))
    return out


def _range(*a: Any) -> list[Any]:
    nums = [float(x) for x in a]
    if len(nums) == 1:
        start, stop, step = 0.0, nums[0], 1.0
    elif len(nums) == 2:
        start, stop, step = nums[0], nums[1], 1.0
    else:
        start, stop, step = nums[0], nums[1], nums[2]
    if step == 0:
        raise ValueError("step 0")
    n = max(0, math.ceil((stop - start) / step))
    _cap(n)
    return [_intify(start + i * step) for i in range(n)]


def _intify(x: float) -> Any:
    return int(x) if float(x).is_integer() else x


def _tostring(v: Any) -> str:
    if isinstance(v, (list, dict)) or v is None:
        raise TypeError("not a primitive")
    return _str(v)


def _tobool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if v in ("true", "false"):
        return bool(v == "true")
    raise TypeError("not a bool")


def _tonumber(v: Any) -> Any:
    n = _num(v)
    if n is None:
        raise TypeError("not a number")
    return n


def _distinct(v: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in v:
        if x not in out:
            out.append(x)
    return out


def _toset(v: list[Any]) -> list[Any]:
    return _distinct(v)


def _length(v: Any) -> int:
    if isinstance(v, (list, dict, str)):
        return len(v)
    raise TypeError("no length")


def _element(v: list[Any], i: int) -> Any:
    return v[int(i) % len(v)]


def _replace(s: str, old: str, new: str) -> str:
    if len(old) > 2 and old.startswith("/") and old.endswith("/"):
        raise ValueError("regex replace is not evaluated")
    return s.replace(old, new)


def _substr(s: str, offset: int, length: int) -> str:
    o = int(offset)
    if o < 0:
        o = len(s) + o
    return s[o:] if int(length) < 0 else s[o : o + int(length)]


#: functions whose result is exact even when values inside their (known) collection arguments are unknown
_STRUCTURAL = frozenset(
    {"merge", "concat", "flatten", "keys", "length", "tolist", "toset", "tomap", "reverse", "slice", "coalescelist"}
)

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "yamlencode": _jsonencode,
    "lookup": _lookup,
    "merge": _merge,
    "concat": _concat,
    "format": _format,
    "join": lambda sep, lst: sep.join(_tostring(x) for x in lst),
    "split": lambda sep, s: s.split(sep),
    "lower": lambda s: s.lower(),
    "upper": lambda s: s.upper(),
    "title": lambda s: s.title(),
    "replace": _replace,
    "length": _length,
    "element": _element,
    "contains": lambda lst, v: v in lst,
    "keys": lambda m: sorted(m),
    "values": lambda m: [m[k] for k in sorted(m)],
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tobool": _tobool,
    "tolist": lambda v: list(v),
    "toset": _toset,
    "tomap": lambda v: dict(v),
    "coalesce": lambda *a: a,
    "coalescelist": lambda *a: next((x for x in a if x), []),
    "compact": lambda lst: [x for x in lst if x not in (None, "")],
    "distinct": _distinct,
    "flatten": _flatten,
    "min": lambda *a: min(a),
    "max": lambda *a: max(a),
    "abs": lambda a: abs(a),
    "ceil": lambda a: math.ceil(a),
    "floor": lambda a: math.floor(a),
    "range": _range,
    "zipmap": lambda ks, vs: dict(zip([_str(k) for k in ks], vs, strict=True)),
    "substr": _substr,
    "trimspace": lambda s: s.strip(),
    "trim": lambda s, cs: s.strip(cs),
    "trimprefix": lambda s, p: s[len(p) :] if s.startswith(p) else s,
    "trimsuffix": lambda s, p: s[: -len(p)] if p and s.endswith(p) else s,
    "startswith": lambda s, p: s.startswith(p),
    "endswith": lambda s, p: s.endswith(p),
    "reverse": lambda v: list(reversed(v)),
    "sort": lambda v: sorted(_tostring(x) for x in v),
    "slice": lambda v, a, b: v[int(a) : int(b)],
    "one": lambda v: (v[0] if len(v) == 1 else None) if len(v) <= 1 else (_ for _ in ()).throw(ValueError()),
    "setunion": lambda *a: _distinct([x for s in a for x in s]),
    "sum": lambda v: sum(v),
    "chunklist": lambda v, n: [v[i : i + int(n)] for i in range(0, len(v), int(n))],
    "formatlist": lambda fmt, *lists: [_format(fmt, *xs) for xs in zip(*lists, strict=True)],
    "tojson": _jsonencode,
    "base64encode": lambda s: base64.b64encode(_tostring(s).encode()).decode(),
    "base64decode": lambda s: base64.b64decode(s, validate=True).decode(),
}
