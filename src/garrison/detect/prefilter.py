"""Literal prefilter: which rules can possibly match this event?

For every rule we derive a set of *necessary literals* from its IR: if the rule matches, at least one of them
occurs (lowered) somewhere in the event's values. One multi-literal scan of the event's lowered text then
yields the candidate rules; rules without such a set (negations only, numeric tests, ...) are always
evaluated. Hyperscan does the scan where it is installed; otherwise a portable substring loop does.
The prefilter can only remove rules that cannot match — it never changes a result (tests check both paths).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from garrison.detect.compile import Node
from garrison.detect.event import canonical_number, clean_text

#: literals shorter than this are useless as a filter and make a rule "always evaluate" instead
MIN_LITERAL = 3


def necessary_literals(ir: dict[str, Any]) -> list[str] | None:
    """Literals of which at least one is present in every event the rule matches, or None if unknown."""
    alts = literal_alternatives(ir)
    return alts[0] if alts else None


def literal_alternatives(ir: dict[str, Any], limit: int = 8) -> list[list[str]]:
    """Several valid necessary-literal sets for a rule, best first by a static guess (the detector later
    re-picks by observed frequency). Each set alone is enough: the rule cannot match without one of them."""
    alts = _alts(ir["condition"], ir["selections"], limit)
    out: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for a in sorted(alts, key=_score, reverse=True):
        key = tuple(sorted(set(a)))
        if key and key not in seen:
            seen.add(key)
            out.append(list(key))
    return out[:limit]


def _alts(node: Node, selections: dict[str, Node], limit: int) -> list[list[str]]:
    op = node[0]
    if op == "sel":
        return _alts(selections[node[1]], selections, limit)
    if op == "and":
        pool: list[list[str]] = []
        for kid in node[1]:
            pool.extend(_alts(kid, selections, limit))
        pool.sort(key=_score, reverse=True)
        return pool[: limit * 2]
    if op == "or":
        out: list[str] = []
        for kid in node[1]:
            got = _alts(kid, selections, limit)
            if not got:
                return []
            out.extend(sorted(got, key=_score)[-1])
        return [out]
    if op == "const":
        return [[]] if not node[1] else []
    if op == "f":
        lit = _matcher_literal(node[1], node[2])
        return [[lit]] if lit is not None else []
    if op == "kw":
        lit = _matcher_literal(None, node[1])
        return [[lit]] if lit is not None else []
    return []  # not: cannot say anything


def _useful(lit: str) -> bool:
    """Long enough to be selective: three characters, or any non-ASCII character (an emoji, a Cyrillic
    look-alike, a right-to-left override: rare in logs, which is exactly why rules look for them)."""
    return len(lit) >= MIN_LITERAL or (bool(lit) and not lit.isascii())


def _score(lits: Sequence[str]) -> tuple[int, int]:
    """Static guess of selectivity: the shortest value text (anchored literals count extra), then fewer."""
    if not lits:
        return (1 << 30, 0)
    return (min(_value_weight(x) for x in lits), -len(lits))


def _value_weight(lit: str) -> int:
    if lit.startswith("\n") and "\x01" in lit:  # eq ("\nf\x01v\x01") or prefix ("\nf\x01v")
        parts = lit.split("\x01")
        return len(parts[1]) + (6 if len(parts) == 3 else 3)
    if "\x01" in lit:  # suffix ("v\x01fi")
        return len(lit.split("\x01")[0]) + 3
    return len(lit.encode("utf-8", "surrogatepass"))  # bytes: one emoji is as selective as four letters


def _matcher_literal(field: str | None, m: list[Any]) -> str | None:
    """A literal of the event blob (``\\nfield<SOH>value<SOH>field\\n`` lines, lowered) that every event matching
    ``m`` on ``field`` contains. Equality, prefix and suffix tests anchor the literal to the field; the rest
    use a bare substring of the value.

    Every literal *ends* in value text (plus at most the SOH and two characters of the field name): Hyperscan's
    literal matcher buckets literals by their last bytes, and hundreds of literals ending in the same
    ``<SOH>commandline\\n`` made each scan several times slower (measured: 4.8 vs 1.2 µs per event for the
    ~1,000 suffix literals of the Sysmon process-creation route)."""
    kind = m[0]
    if kind in ("eq", "pre", "suf", "in"):
        text = clean_text(str(m[1]).lower())
        if field is not None and kind != "in":
            lf = clean_text(field.lower())
            if kind == "eq":
                return f"\n{lf}\x01{text}\x01"
            if kind == "pre":
                return f"\n{lf}\x01{text}"
            return f"{text}\x01{lf[:2]}"
        return text if _useful(text) else None
    if kind in ("num", "bool") and field is not None:
        lf = clean_text(field.lower())
        if kind == "bool":
            text = "true" if m[1] else "false"
        else:
            text = canonical_number(repr(m[1]) if isinstance(m[1], float) else str(m[1])) or ""
            if not text:
                return None
        return f"\n{lf}\x01{text}\x01"
    if kind == "glob":
        lit = _longest_glob_literal(str(m[1]))
        return clean_text(lit) if lit is not None else None
    if kind == "re":
        lit = regex_literal(str(m[1]), str(m[2]))
        return clean_text(lit) if lit is not None else None
    return None


def _longest_glob_literal(pattern: str) -> str | None:
    # the glob regex is re.escape()d literal text joined by ".*" and "." (see compile.string_matcher)
    best, cur = "", []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            cur.append(pattern[i + 1])
            i += 2
            continue
        if ch == ".":
            run = "".join(cur)
            if len(run) > len(best):
                best = run
            cur = []
            i += 2 if pattern[i + 1 : i + 2] == "*" else 1
            continue
        cur.append(ch)
        i += 1
    run = "".join(cur)
    if len(run) > len(best):
        best = run
    best = best.lower()
    return best if _useful(best) else None


def regex_literal(pattern: str, flags: str = "") -> str | None:
    """The longest run of literal characters that every match of the regex must contain (ASCII only,
    top-level sequence only: anything inside alternations, groups or repeats is ignored)."""
    try:
        parsed = importlib.import_module("re._parser").parse(pattern)
    except Exception:  # noqa: BLE001 - not parseable by Python's parser (RE2-only syntax): no literal
        return None
    best: list[str] = []
    run: list[str] = []
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL" and isinstance(arg, int) and 32 <= arg < 127:
            run.append(chr(arg).lower())
            continue
        if name in ("AT",):  # anchors do not consume characters and do not break a literal run
            continue
        if len(run) > len(best):
            best = run
        run = []
    if len(run) > len(best):
        best = run
    lit = "".join(best)
    return lit if len(lit) >= MIN_LITERAL else None


class Prefilter:
    """Multi-literal scanner over the lowered event text."""

    def __init__(self, literals: Sequence[str]) -> None:
        self.literals = list(literals)
        self._db: Any = None
        self._scratch: Any = None
        self.engine = "python"
        if not self.literals:
            return
        try:
            import hyperscan
        except ImportError:
            return
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        exprs = [lit.encode("utf-8", "surrogatepass") for lit in self.literals]
        try:
            db.compile(
                expressions=exprs,
                ids=list(range(len(exprs))),
                elements=len(exprs),
                flags=hyperscan.HS_FLAG_SINGLEMATCH,
                literal=True,
            )
        except Exception:  # noqa: BLE001 - hyperscan.error (unsupported platform feature): portable loop
            return
        self._db = db
        self._scratch = hyperscan.Scratch(db)
        self.engine = "hyperscan"

    def hits(self, text: str) -> list[int]:
        """Indices of the literals present in ``text`` (already lowered)."""
        if not self.literals:
            return []
        if self._db is not None:
            found: list[int] = []
            append = found.append

            def on_match(lit_id: int, _start: int, _end: int, _flags: int, _ctx: object) -> None:
                append(lit_id)

            self._db.scan(text.encode("utf-8", "surrogatepass"), match_event_handler=on_match, scratch=self._scratch)
            return found
        return [i for i, lit in enumerate(self.literals) if lit in text]
