"""IR -> closures. Each rule becomes one Python function over an :class:`Event`'s pre-lowered values.

A field test looks the field up once in ``event.low`` (a dict of lowered strings) and applies a bound string
method (``==``, ``startswith``, ``endswith``, ``in``) — no interpretation of the rule happens per event.
List-valued fields (JSON arrays) fall back to "any element matches".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from garrison.detect.compile import Node, Unsupported
from garrison.detect.event import _NUM_START, _NUMERIC, Event, canonical_number, parse_timestamp
from garrison.detect.regex import compile_fullmatch, compile_search

Pred = Callable[[Event], bool]
StrTest = Callable[[str], bool]


def build_condition(ir: dict[str, Any]) -> tuple[Pred, dict[str, Pred]]:
    """The rule's predicate and one predicate per named selection (for explaining a match)."""
    selections = {name: build_node(node, {}) for name, node in ir["selections"].items()}
    return build_node(ir["condition"], selections), selections


def build_node(node: Node, selections: dict[str, Pred]) -> Pred:
    op = node[0]
    if op == "sel":
        return selections[node[1]]
    if op == "and":
        kids = [build_node(n, selections) for n in node[1]]
        return _and(kids)
    if op == "or":
        return _or(_fused(node[1], selections))
    if op == "not":
        inner = build_node(node[1], selections)
        return lambda ev: not inner(ev)
    if op == "const":
        value = bool(node[1])
        return lambda ev: value
    if op == "f":
        return field_pred(node[1], node[2])
    if op == "kw":
        return keyword_pred(node[1])
    raise Unsupported(f"unknown IR node {op!r}")


def _fused(children: list[Node], selections: dict[str, Pred]) -> list[Pred]:
    """OR-ed string tests on one field become one test: a set lookup for equality, ``str.startswith``/``endswith``
    with a tuple, one RE2 alternation for many substrings. Rules with long value lists cost one call."""
    groups: dict[tuple[str, str, bool], list[str]] = {}
    rest: list[Node] = []
    for n in children:
        if n[0] == "f" and n[2][0] in ("eq", "pre", "suf", "in"):
            groups.setdefault((n[1], n[2][0], bool(n[2][2])), []).append(n[2][1])
        else:
            rest.append(n)
    preds: list[Pred] = []
    for (field, kind, cased), texts in groups.items():
        if len(texts) == 1:
            preds.append(field_pred(field, [kind, texts[0], cased]))
        elif not cased and kind in ("eq", "pre", "suf"):
            preds.append(_inline_pred(field, kind, frozenset(texts) if kind == "eq" else tuple(texts)))
        else:
            preds.append(_field_with(field, _multi_test(kind, texts), cased))
    preds.extend(build_node(n, selections) for n in rest)
    return preds


def _multi_test(kind: str, texts: list[str]) -> StrTest:
    if kind == "eq":
        options = frozenset(texts)
        return lambda v: v in options
    if kind == "pre":
        prefixes = tuple(texts)
        return lambda v: v.startswith(prefixes)
    if kind == "suf":
        suffixes = tuple(texts)
        return lambda v: v.endswith(suffixes)
    if len(texts) <= 6:
        subs = tuple(texts)
        return lambda v: any(t in v for t in subs)
    import re

    # many substrings: one RE2 alternation (a DFA: one pass over the value, whatever the list length)
    search, _engine = compile_search("|".join(re.escape(t) for t in sorted(set(texts), key=len, reverse=True)), "s")
    return search


def _and(kids: list[Pred]) -> Pred:
    if len(kids) == 1:
        return kids[0]
    if len(kids) == 2:
        a, b = kids
        return lambda ev: a(ev) and b(ev)
    if len(kids) == 3:
        a, b, c = kids
        return lambda ev: a(ev) and b(ev) and c(ev)
    t = tuple(kids)
    return lambda ev: all(k(ev) for k in t)


def _or(kids: list[Pred]) -> Pred:
    if len(kids) == 1:
        return kids[0]
    if len(kids) == 2:
        a, b = kids
        return lambda ev: a(ev) or b(ev)
    if len(kids) == 3:
        a, b, c = kids
        return lambda ev: a(ev) or b(ev) or c(ev)
    t = tuple(kids)
    return lambda ev: any(k(ev) for k in t)


# --- string tests -------------------------------------------------------------------------------------


def str_test(m: list[Any]) -> tuple[StrTest, bool]:
    """A test over one string value and whether it wants the original case (else the lowered value)."""
    kind = m[0]
    if kind in ("eq", "pre", "suf", "in"):
        text: str = m[1]
        cased = bool(m[2])
        if kind == "eq":
            return (lambda v: v == text), cased
        if kind == "pre":
            return (lambda v: v.startswith(text)), cased
        if kind == "suf":
            return (lambda v: v.endswith(text)), cased
        return (lambda v: text in v), cased
    if kind == "glob":
        return compile_fullmatch(m[1]), bool(m[2])
    if kind == "re":
        try:
            search, _engine = compile_search(m[1], m[2])
        except ValueError as exc:
            raise Unsupported(str(exc)) from None
        return search, True
    if kind == "num":
        return _num_test(m[1]), False
    if kind == "bool":
        want = "true" if m[1] else "false"
        return (lambda v: v == want), False
    if kind == "present":
        return (lambda v: True), False
    if kind == "cidr":
        return _cidr_test(m[1]), False
    if kind == "cmp":
        return _cmp_test(m[1], m[2]), False
    if kind == "tpart":
        return _tpart_test(m[1], m[2]), True
    raise Unsupported(f"matcher {kind!r} cannot be used here")


def _num_test(n: int | float) -> StrTest:
    """Numeric equality: the value's text is the number, or its canonical form (``0x10``, ``010``, ``16.0``) is.
    Uses exactly the canonical form the prefilter's blob carries, so prefiltering never changes the answer."""
    text = str(n)
    canon = canonical_number(repr(n) if isinstance(n, float) else str(n))

    def test(v: str) -> bool:
        if v == text:
            return True
        if v and v[0] in _NUM_START and _NUMERIC.match(v):
            return canonical_number(v) == canon
        return False

    return test


def _hex(v: str) -> int | None:
    try:
        return int(v, 16)
    except ValueError:
        return None


def _cidr_test(net: str) -> StrTest:
    import socket

    network = ipaddress.ip_network(net, strict=False)
    if network.version == 4:
        lo = int(network.network_address)
        mask = int(network.netmask)
        pton = socket.inet_pton
        af = socket.AF_INET

        def test4(v: str) -> bool:
            try:
                n = int.from_bytes(pton(af, v), "big")
            except OSError:
                if ":" not in v:
                    return False
                try:
                    mapped = ipaddress.ip_address(v.strip("[]"))
                except ValueError:
                    return False
                m4 = getattr(mapped, "ipv4_mapped", None)
                return m4 is not None and m4 in network
            return (n & mask) == lo

        return test4

    def test(v: str) -> bool:
        if ":" not in v:  # not IPv6 text: cannot be in an IPv6 network
            return False
        try:
            addr = ipaddress.ip_address(v.strip("[]"))
        except ValueError:
            return False
        return addr.version == 6 and addr in network

    return test


def _to_number(v: str) -> float | None:
    try:
        return float(v)
    except ValueError:
        if v.startswith("0x"):
            h = _hex(v)
            return float(h) if h is not None else None
        return None


def _cmp_test(op: str, n: int | float) -> StrTest:
    def test(v: str) -> bool:
        x = _to_number(v)
        if x is None:
            return op == "neq"
        if op == "lt":
            return x < n
        if op == "lte":
            return x <= n
        if op == "gt":
            return x > n
        if op == "gte":
            return x >= n
        return x != n

    return test


def _tpart_test(part: str, n: int | float) -> StrTest:
    def test(v: str) -> bool:
        ts = parse_timestamp(v)
        if ts is None:
            try:
                ts = parse_timestamp(float(v))
            except ValueError:
                return False
        if ts is None:
            return False
        dt = datetime.fromtimestamp(ts, tz=UTC)
        got = {
            "minute": dt.minute,
            "hour": dt.hour,
            "day": dt.day,
            "week": dt.isocalendar().week,
            "month": dt.month,
            "year": dt.year,
        }[part]
        return bool(got == n)

    return test


# --- field and keyword predicates -------------------------------------------------------------------


def field_pred(field: str, m: list[Any]) -> Pred:
    kind = m[0]
    if kind == "null":
        return lambda ev: field not in ev.low and not ev.multi.get(field)
    if kind == "exists":
        want = bool(m[1])
        return lambda ev: ((field in ev.low) or (field in ev.multi)) == want
    if kind == "ref":
        return _ref_pred(field, m[1], m[2])
    if kind in ("eq", "pre", "suf", "in") and not m[2]:
        return _inline_pred(field, kind, m[1])
    test, cased = str_test(m)
    return _field_with(field, test, cased)


def _inline_pred(field: str, kind: str, text: Any) -> Pred:
    """One closure per test (no second call): the hot path of nearly every Sigma rule."""
    if kind == "eq" and isinstance(text, frozenset):

        def eq_any(ev: Event) -> bool:
            v = ev.low.get(field)
            if v is not None:
                return v in text
            mv = ev.multi.get(field)
            return mv is not None and any(x in text for x in mv)

        return eq_any
    if kind == "eq":

        def eq(ev: Event) -> bool:
            v = ev.low.get(field)
            if v is not None:
                return bool(v == text)
            mv = ev.multi.get(field)
            return mv is not None and text in mv

        return eq
    if kind == "pre":

        def pre(ev: Event) -> bool:
            v = ev.low.get(field)
            if v is not None:
                return v.startswith(text)
            mv = ev.multi.get(field)
            return mv is not None and any(x.startswith(text) for x in mv)

        return pre
    if kind == "suf":

        def suf(ev: Event) -> bool:
            v = ev.low.get(field)
            if v is not None:
                return v.endswith(text)
            mv = ev.multi.get(field)
            return mv is not None and any(x.endswith(text) for x in mv)

        return suf

    def contains(ev: Event) -> bool:
        v = ev.low.get(field)
        if v is not None:
            return text in v
        mv = ev.multi.get(field)
        return mv is not None and any(text in x for x in mv)

    return contains


def _field_with(field: str, test: StrTest, cased: bool) -> Pred:
    if cased:

        def pred_cased(ev: Event) -> bool:
            v = ev.text(field)
            if v is not None:
                return test(v)
            if field in ev.multi:
                return any(test(x) for x in ev.texts(field))
            return False

        return pred_cased

    def pred(ev: Event) -> bool:
        v = ev.low.get(field)
        if v is not None:
            return test(v)
        mv = ev.multi.get(field)
        if mv:
            return any(test(x) for x in mv)
        return False

    return pred


def _ref_pred(field: str, other: str, mode: str) -> Pred:
    def pred(ev: Event) -> bool:
        v = ev.low.get(field)
        o = ev.low.get(other)
        if v is None or o is None:
            return False
        if mode == "eq":
            return v == o
        if mode == "pre":
            return v.startswith(o)
        if mode == "suf":
            return v.endswith(o)
        return o in v

    return pred


def keyword_pred(m: list[Any]) -> Pred:
    test, cased = str_test(m)
    if cased:
        return lambda ev: any(test(v) for v in ev.all_text())
    return lambda ev: any(test(v) for v in ev.all_low())
