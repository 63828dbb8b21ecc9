"""A fast recursive-descent reader for the HCL2 native syntax, producing exactly the AST of :mod:`.hcl`.

python-hcl2's Lark LALR grammar is the reference: loading its tables costs ~0.1 s per process and building
the generic parse tree most of the parse time. This reader follows the same grammar (its terminals, where
newlines may appear, which names are keywords where, how ``-1`` lexes, how strings split into parts) and
builds :class:`~.hcl.Body`/:class:`~.hcl.Expr` nodes directly. Whatever it is not certain to read exactly as
the grammar does — any syntax error, a construct it does not implement, deep nesting — raises
:class:`Decline`, and :func:`.hcl.parse_hcl` falls back to the reference parser, which also produces the
user-facing error messages. ``tests/scan/analyzers/iac/test_hcl_fast.py`` holds the two to equal ASTs on
real files and on fuzzed input.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from garrison.scan.analyzers.iac.parsers.hcl import (
    Attribute,
    BinOp,
    Block,
    Body,
    Call,
    Cond,
    Directive,
    Expr,
    ForExpr,
    GetAttr,
    HclError,
    Index,
    Lit,
    ObjectExpr,
    Splat,
    Template,
    TupleExpr,
    Unary,
    Var,
    _assemble,
    heredoc,
    unescape,
)

#: nesting beyond this is left to the reference parser (which enforces the real limits)
MAX_FAST_DEPTH = 48

_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_-]*")
_UINT = re.compile(r"[0-9]+")
_FLOAT = re.compile(r"(?:-?[0-9]+|(?:-[0-9])+)(?:\.[0-9]+(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+)")
_WS = re.compile(r"[ \t\r]*")
#: the grammar's NL_OR_COMMENT terminal, one token
_NL_TOKEN = re.compile(r"\n[ \t]*|#.*\n|//.*\n|/\*(?:.|\n)*?\*/")
#: any run of whitespace and NL_OR_COMMENT tokens
_TRIVIA = re.compile(r"(?:[ \t\r]+|\n[ \t]*|#.*\n|//.*\n|/\*(?:.|\n)*?\*/)*")
_TRIVIA_START = frozenset(" \t\r\n#/")
#: the grammar's STRING_CHARS terminal
_STRING_CHARS = re.compile(r"(?:(?!\$\$\{)(?!\$\{)(?!%%\{)(?!%\{)[^\"\\]|\\.|(?:\$(?!\$?\{))|(?:%(?!%?\{)))+")
_HEREDOC = re.compile(r"<<(?P<heredoc>[a-zA-Z][a-zA-Z0-9._-]*)\r?\n(?:(?:.|\n)*?\r?\n)??\s*(?P=heredoc)\r?\n")
_HEREDOC_TRIM = re.compile(
    r"<<-(?P<heredoc_trim>[a-zA-Z][a-zA-Z0-9._-]*)\r?\n(?:(?:.|\n)*?\r?\n)??\s*(?P=heredoc_trim)\r?\n"
)
_ESCAPED = re.compile(r"(?:\$\$|%%)\{[^}]*\}")
#: object keys the grammar reads as keywords (not expressions)
_KEYWORDS = frozenset({"in", "for", "if", "for_each", "else", "endif", "endfor"})
_LITERALS = {"true": True, "false": False, "null": None}
#: binary operators -> (operator, precedence); two-character ones are looked up first
_PRECEDENCE = {
    "||": 0,
    "&&": 1,
    "==": 2,
    "!=": 2,
    "<=": 3,
    ">=": 3,
    "<": 3,
    ">": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "%": 5,
}
_OPS2 = {op: (op, p) for op, p in _PRECEDENCE.items() if len(op) == 2}
_OPS1 = {op: (op, p) for op, p in _PRECEDENCE.items() if len(op) == 1}


class Decline(Exception):
    """Not read here: the caller uses the reference parser."""


def parse_fast(text: str) -> Body:
    """Parse a whole file (``text`` ends with a newline). Raises :class:`Decline`."""
    p = _Reader(text)
    body = p.body(0)
    p.ws()
    if p.i != p.n:
        raise Decline("trailing input")
    return body


class _Reader:
    __slots__ = ("i", "line_starts", "n", "s")

    def __init__(self, text: str) -> None:
        self.s = text
        self.n = len(text)
        self.i = 0
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos >= 0:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self.line_starts = starts

    # ---- positions and trivia ---------------------------------------------------------------------

    def line_at(self, pos: int) -> int:
        return bisect.bisect_right(self.line_starts, pos)

    def ws(self) -> None:
        i = self.i
        if i < self.n and self.s[i] in " \t\r":
            self.i = _WS.match(self.s, i).end()  # type: ignore[union-attr]  # matches the empty string

    def _nl_token(self, i: int) -> int:
        """End of one NL_OR_COMMENT token at ``i`` (ws already skipped), or -1."""
        m = _NL_TOKEN.match(self.s, i)
        return m.end() if m else -1

    def trivia_end(self) -> int:
        """The position after the whitespace, newlines and comments ahead (nothing is consumed)."""
        i = self.i
        if i < self.n and self.s[i] in _TRIVIA_START:
            return _TRIVIA.match(self.s, i).end()  # type: ignore[union-attr]
        return i

    def count_nl(self, end: int) -> int:
        """How many NL_OR_COMMENT tokens lie between here and ``end`` (a :meth:`trivia_end`)."""
        s, i = self.s, self.i
        if s.find("\n", i, end) < 0 and s.find("/", i, end) < 0 and s.find("#", i, end) < 0:
            return 0
        count = 0
        while True:
            i = _WS.match(s, i).end()  # type: ignore[union-attr]
            nxt = self._nl_token(i)
            if nxt < 0:
                return count
            count += 1
            i = nxt

    def nl(self) -> None:
        """Skip any newlines and comments (where the grammar allows ``new_line_or_comment?``)."""
        i = self.i
        if i < self.n and self.s[i] in _TRIVIA_START:
            self.i = _TRIVIA.match(self.s, i).end()  # type: ignore[union-attr]

    def at(self, text: str) -> bool:
        return self.s.startswith(text, self.i)

    def expect(self, text: str) -> None:
        self.ws()
        if not self.s.startswith(text, self.i):
            raise Decline(f"expected {text!r}")
        self.i += len(text)

    def name(self) -> str:
        m = _NAME.match(self.s, self.i)
        if not m:
            raise Decline("expected a name")
        self.i = m.end()
        return m.group(0)

    def at_eq(self) -> bool:
        """EQ terminal: ``=`` not followed by ``=`` or ``>``."""
        s, i = self.s, self.i
        return s.startswith("=", i) and not s.startswith(("==", "=>"), i)

    def at_colon(self) -> bool:
        s, i = self.s, self.i
        return s.startswith(":", i) and not s.startswith("::", i)

    # ---- structure --------------------------------------------------------------------------------

    def body(self, depth: int) -> Body:
        if depth > MAX_FAST_DEPTH:
            raise Decline("deep")
        out = Body()
        s = self.s
        while True:
            self.nl()
            if self.i >= self.n or s[self.i] == "}":
                return out
            start = self.i
            name = self.name()
            self.ws()
            if self.at_eq():
                self.i += 1
                self.ws()
                expr = self.expression(depth + 1)
                out.attributes[name] = Attribute(name, expr, self.line_at(start), self.line_at(self.i))
                continue
            labels: list[str] = []
            while True:
                self.ws()
                c = s[self.i] if self.i < self.n else ""
                if c == '"':
                    labels.append(self.label_string())
                elif c and (c.isalpha() or c == "_"):
                    labels.append(self.name())
                else:
                    break
            self.nl()
            self.expect("{")
            inner = self.body(depth + 1)
            self.expect("}")
            out.blocks.append(Block(name, labels, inner, self.line_at(start), self.line_at(self.i - 1)))

    def label_string(self) -> str:
        """A quoted block label as the reference reads it: the raw text of its literal parts."""
        self.i += 1
        raw: list[str] = []
        for kind, value, _ in self.string_parts(0):
            if kind == "raw":
                raw.append(value)
        return "".join(raw)

    # ---- expressions ------------------------------------------------------------------------------

    def expression(self, depth: int) -> Expr:
        if depth > MAX_FAST_DEPTH:
            raise Decline("deep")
        self.ws()
        start = self.i
        cond = self.binary(0, depth + 1)
        after = self.trivia_end()
        if self.s.startswith("?", after):
            if self.count_nl(after) > 1:
                raise Decline("blank lines before '?'")
            self.i = after + 1
            self.nl()
            then = self.expression(depth + 1)
            self.nl()
            self.ws()
            if not self.at_colon():
                raise Decline("expected ':'")
            self.i += 1
            self.nl()
            other = self.expression(depth + 1)
            return Cond(cond, then, other, self.line_at(start))
        return cond

    def _operator(self) -> tuple[str, int] | None:
        """The binary operator ahead and its precedence, consuming it; at most one line break may precede it
        (the grammar's post-lexer continuation rule, which never applies to ``-``). None consumes nothing."""
        after = self.trivia_end()
        s = self.s
        if after >= self.n:
            return None
        op = _OPS2.get(s[after : after + 2]) or _OPS1.get(s[after])
        if op is None or (op[0] == "/" and s.startswith(("//", "/*"), after)):  # a comment, not a division
            return None
        if op[0] == "-" and _FLOAT.match(s, after):
            raise Decline("the grammar lexes '-1.5' after an operand as a float literal (a syntax error)")
        n = self.count_nl(after) if after > self.i else 0
        if n == 0 or (n == 1 and op[0] != "-"):
            self.i = after + len(op[0])
            return op
        raise Decline("operator after a line break the grammar does not continue")

    def binary(self, min_prec: int, depth: int) -> Expr:
        """Precedence climbing over the grammar's left-associative levels (``||`` lowest … ``* / %``)."""
        self.ws()
        start = self.i
        left = self.unary(depth)
        while True:
            save = self.i
            op = self._operator()
            if op is None:
                return left
            if op[1] < min_prec:
                self.i = save
                return left
            self.nl()
            right = self.binary(op[1] + 1, depth + 1)
            left = BinOp(op[0], left, right, self.line_at(start))

    def unary(self, depth: int) -> Expr:
        self.ws()
        s, i = self.s, self.i
        c = s[i] if i < self.n else ""
        # the grammar lexes "-1.5" as one float literal but "-1" as MINUS and an integer
        if c == "!" or (c == "-" and not _FLOAT.match(s, i)):
            line = self.line_at(i)
            self.i += 1
            self.ws()
            if self.i < self.n and s[self.i] in "-!":
                raise Decline("unary operand starting with an operator")
            return Unary(c, self.term(depth + 1), line)
        return self.term(depth)

    def term(self, depth: int) -> Expr:
        if depth > MAX_FAST_DEPTH:
            raise Decline("deep")
        self.ws()
        start = self.i
        line = self.line_at(start)
        expr = self.primary(depth, line)
        return self.postfix(expr, depth, line)

    def primary(self, depth: int, line: int) -> Expr:
        s, i = self.s, self.i
        if i >= self.n:
            raise Decline("end of input")
        c = s[i]
        if c == "(":
            self.i += 1
            self.nl()
            inner = self.expression(depth + 1)
            self.nl()
            self.expect(")")
            return inner
        if c.isdigit() or c == "-":
            m = _FLOAT.match(s, i)
            if m:
                self.i = m.end()
                try:
                    return Lit(float(m.group(0)), line)
                except ValueError:  # the grammar's "-1-2.5"
                    raise Decline("unreadable number") from None
            m = _UINT.match(s, i)
            if not m:
                raise Decline("bad number")
            self.i = m.end()
            return Lit(int(m.group(0)), line)
        if c == '"':
            self.i += 1
            parts = [v for kind, v, _ in self.string_parts(depth) if kind != "raw"]
            return Template(_assemble(parts, line), line)
        if c == "[":
            self.i += 1
            self.nl()
            if self._at_keyword("for"):
                return self.for_expr(False, depth, line)
            return self.tuple_expr(depth, line)
        if c == "{":
            self.i += 1
            self.nl()
            if self._at_keyword("for") and not self._keyword_key():
                return self.for_expr(True, depth, line)
            return self.object_expr(depth, line)
        if c == "<":
            m = (_HEREDOC_TRIM if s.startswith("<<-", i) else _HEREDOC).match(s, i)
            if not m:
                raise Decline("bad heredoc")
            self.i = m.end()
            try:
                return heredoc(m.group(0), s.startswith("<<-", i), line)
            except HclError:  # e.g. an unterminated ${ in the body: the reference path reports it
                raise Decline("heredoc the reference rejects") from None
        if c.isalpha() or c == "_":
            name = self.name()
            if name in _LITERALS:
                return Lit(_LITERALS[name], line)
            self.ws()
            if self.at("::"):
                parts = [name]
                for _ in range(2):
                    self.expect("::")
                    self.ws()
                    parts.append(self.name())
                self.ws()
                if not self.at("("):
                    raise Decline("provider function without arguments")
                name = "::".join(parts)
            if self.at("("):
                return self.call(name, depth, line)
            return Var(name, line)
        raise Decline(f"unexpected {c!r}")

    def _at_keyword(self, word: str) -> bool:
        m = _NAME.match(self.s, self.i)
        return m is not None and m.group(0) == word

    def _keyword_key(self) -> bool:
        """At ``{ for``: is it an object key (``for = …``) rather than a for expression?"""
        save = self.i
        self.name()
        self.ws()
        result = self.at_eq() or self.at_colon()
        self.i = save
        return result

    def postfix(self, expr: Expr, depth: int, line: int) -> Expr:
        s = self.s
        while True:
            self.ws()
            i = self.i
            if s.startswith("...", i):
                return expr
            if s.startswith(".*", i):
                self.i += 2
                return Splat(expr, self.splat_ops(depth, line), line)
            if s.startswith("[*]", i):
                self.i += 3
                return Splat(expr, self.splat_ops(depth, line), line)
            if s.startswith(".", i):
                self.i += 1
                kind, value = self.dot(line)
                expr = GetAttr(expr, value, line) if kind == "attr" else Index(expr, value, line)
                continue
            if s.startswith("[", i):
                self.i += 1
                expr = Index(expr, self.braces_index(depth), line)
                continue
            return expr

    def dot(self, line: int) -> tuple[str, Any]:
        """After ``.``: a name (get_attr) or an integer (short index)."""
        self.ws()
        m = _UINT.match(self.s, self.i)
        if m:
            self.i = m.end()
            return "index", Lit(int(m.group(0)), line)
        return "attr", self.name()

    def braces_index(self, depth: int) -> Expr:
        self.nl()
        key = self.expression(depth + 1)
        self.nl()
        self.expect("]")
        return key

    def splat_ops(self, depth: int, line: int) -> list[tuple[str, Any]]:
        ops: list[tuple[str, Any]] = []
        s = self.s
        while True:
            self.ws()
            i = self.i
            if s.startswith(("...", ".*", "[*]"), i):
                if s.startswith("...", i):
                    return ops
                raise Decline("nested splat")
            if s.startswith(".", i):
                self.i += 1
                ops.append(self.dot(line))
            elif s.startswith("[", i):
                self.i += 1
                ops.append(("index", self.braces_index(depth)))
            else:
                return ops

    def call(self, name: str, depth: int, line: int) -> Expr:
        self.i += 1  # (
        self.nl()
        args: list[Expr] = []
        expand = False
        if not self.at(")"):
            while True:
                args.append(self.expression(depth + 1))
                self.nl()
                if self.at("..."):
                    self.i += 3
                    expand = True
                    self.nl()
                    break
                if self.at(","):
                    self.i += 1
                    self.nl()
                    if self.at(")"):
                        break
                    continue
                break
        self.expect(")")
        return Call(name, args, expand, line)

    def tuple_expr(self, depth: int, line: int) -> Expr:
        items: list[Expr] = []
        while True:
            self.nl()
            if self.at("]"):
                self.i += 1
                return TupleExpr(items, line)
            items.append(self.expression(depth + 1))
            self.nl()
            if self.at(","):
                self.i += 1
                continue
            self.expect("]")
            return TupleExpr(items, line)

    def object_expr(self, depth: int, line: int) -> Expr:
        items: list[tuple[Expr, Expr]] = []
        s = self.s
        while True:
            self.nl()
            if self.at("}"):
                self.i += 1
                return ObjectExpr(items, line)
            key_start = self.i
            m = _NAME.match(s, self.i)
            key: Expr
            if m and m.group(0) in _KEYWORDS:
                self.i = m.end()
                key = Lit(m.group(0), self.line_at(key_start))
            else:
                key = self.expression(depth + 1)
                if isinstance(key, Var):
                    key = Lit(key.name, key.line)
            self.ws()
            if not (self.at_eq() or self.at_colon()):
                raise Decline("expected '=' or ':' in an object")
            self.i += 1
            self.ws()
            items.append((key, self.expression(depth + 1)))
            self.nl()
            if self.at(","):
                self.i += 1

    def for_expr(self, is_object: bool, depth: int, line: int) -> Expr:
        self.name()  # for
        self.nl()
        first = self.name()
        if first in _KEYWORDS:
            raise Decline("keyword as a for variable")
        self.ws()
        key_var: str | None = None
        value_var = first
        if self.at(","):
            self.i += 1
            self.ws()
            key_var, value_var = first, self.name()
            if value_var in _KEYWORDS:
                raise Decline("keyword as a for variable")
        self.nl()
        if not self._at_keyword("in"):
            raise Decline("expected 'in'")
        self.i += 2
        self.nl()
        coll = self.expression(depth + 1)
        self.nl()
        self.ws()
        if not self.at_colon():
            raise Decline("expected ':'")
        self.i += 1
        self.nl()
        key_expr: Expr | None = None
        group = False
        if is_object:
            key_expr = self.expression(depth + 1)
            self.ws()
            if not self.at("=>"):
                raise Decline("expected '=>'")
            self.i += 2
            self.nl()
        value = self.expression(depth + 1)
        self.nl()
        if is_object and self.at("..."):
            self.i += 3
            group = True
            self.nl()
        cond: Expr | None = None
        if self._at_keyword("if"):
            self.i += 2
            self.nl()
            cond = self.expression(depth + 1)
            self.nl()
        self.expect("}" if is_object else "]")
        return ForExpr(key_var, value_var, coll, key_expr, value, cond, group, line)

    # ---- strings ----------------------------------------------------------------------------------

    def string_parts(self, depth: int) -> list[tuple[str, Any, int]]:
        """After the opening quote, up to and including the closing one: ("raw", token text, _) for each
        literal token (block labels use those) and ("part", value, _) for what the template holds."""
        s, n = self.s, self.n
        out: list[tuple[str, Any, int]] = []
        while True:
            i = self.i
            if i >= n:
                raise Decline("unterminated string")
            c = s[i]
            if c == '"':
                self.i = i + 1
                return out
            if (c == "$" or c == "%") and s.startswith(("$${", "%%{"), i):
                m = _ESCAPED.match(s, i)
                if not m:
                    raise Decline("unterminated escape")
                token = m.group(0)
                self.i = m.end()
                out.append(("raw", token, 0))
                out.append(("part", unescape(token[1:]), 0))
                continue
            if c == "$" and s.startswith("${", i):
                self.i = i + 2
                self.ws()
                if self.at("~"):
                    raise Decline("strip marker in an interpolation")
                out.append(("part", self.expression(depth + 1), 0))
                self.expect("}")
                continue
            if c == "%" and s.startswith("%{", i):
                self.i = i + 2
                out.append(("part", self.directive(depth), 0))
                continue
            m = _STRING_CHARS.match(s, i)
            if not m:
                raise Decline("unreadable string content")  # a backslash before a newline, the end of input
            token = m.group(0)
            self.i = m.end()
            out.append(("raw", token, 0))
            out.append(("part", unescape(token), 0))

    def directive(self, depth: int) -> tuple[str, Any]:
        self.ws()
        if self.at("~"):
            self.i += 1
            self.ws()
        word = self.name()
        payload: Any = None
        if word == "if":
            self.ws()
            payload = self.expression(depth + 1)
        elif word == "for":
            self.ws()
            idents = [self.name()]
            self.ws()
            if self.at(","):
                self.i += 1
                self.ws()
                idents.append(self.name())
            self.ws()
            if not self._at_keyword("in"):
                raise Decline("expected 'in'")
            self.i += 2
            self.ws()
            payload = (idents, self.expression(depth + 1))
        elif word not in ("else", "endif", "endfor"):
            raise Decline(f"unknown directive {word!r}")
        self.ws()
        if self.at("~"):
            self.i += 1
        self.expect("}")
        return (word, payload)


__all__ = ["Decline", "Directive", "parse_fast"]
