"""Literal prefilter: which rules can possibly match this event?

For every rule we derive a set of *necessary literals* from its IR: if the rule matches, at least one of them
occurs (lowered) somewhere in the event's values. One multi-literal scan of the event's lowered text then
yields the candidate rules; rules without such a set (negations only, numeric tests, ...) are always
evaluated. Hyperscan does the scan where it is installed; otherwise a portable substring loop does.
The prefilter can only remove rules that cannot match — it never changes a result (tests check both paths).
"""

from __future__ import annotations

import re
import re._parser as sre_parse
from collections.abc import Sequence
from typing import Any

from garrison.detect.compile import Node

#: literals shorter than this are useless as a filter and make a rule "always evaluate" instead
MIN_LITERAL = 3


def necessary_literals(ir: dict[str, Any]) -> list[str] | None:
    """Literals of which at least one is present in every event the rule matches, or None if unknown."""
    lits = _need(ir["condition"], ir["selections"])
    if lits is None or not lits:
        return None
    return sorted(set(lits))


def _need(node: Node, selections: dict[str, Node]) -> list[str] | None:
    op = node[0]
    if op == "sel":
        return _need(selections[node[1]], selections)
    if op == "and":
        best: list[str] | None = None
        for kid in node[1]:
            got = _need(kid, selections)
            if got is not None and (best is None or _score(got) > _score(best)):
                best = got
        return best
    if op == "or":
        out: list[str] = []
        for kid in node[1]:
            got = _need(kid, selections)
            if got is None:
                return None
            out.extend(got)
        return out
    if op == "const":
        return [] if not node[1] else None  # const false needs nothing: an empty OR never matches
    if op in ("f", "kw"):
        lit = _matcher_literal(node[-1])
        return [lit] if lit is not None else None
    return None  # not: cannot say anything


def _score(lits: Sequence[str]) -> tuple[int, int]:
    if not lits:
        return (1 << 30, 0)
    return (min(len(x) for x in lits), -len(lits))


def _matcher_literal(m: list[Any]) -> str | None:
    kind = m[0]
    if kind in ("eq", "pre", "suf", "in"):
        text = str(m[1]).lower()
        return text if len(text) >= MIN_LITERAL else None
    if kind == "glob":
        return _longest_glob_literal(str(m[1]))
    if kind == "re":
        return regex_literal(str(m[1]), str(m[2]))
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
    return best if len(best) >= MIN_LITERAL else None


def regex_literal(pattern: str, flags: str = "") -> str | None:
    """The longest run of literal characters that every match of the regex must contain (ASCII only,
    top-level sequence only: anything inside alternations, groups or repeats is ignored)."""
    try:
        parsed = sre_parse.parse(pattern)
    except Exception:  # not parseable by Python's parser (RE2-only syntax): no literal
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
        except Exception:  # hyperscan.error (e.g. unsupported platform feature): use the portable loop
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
