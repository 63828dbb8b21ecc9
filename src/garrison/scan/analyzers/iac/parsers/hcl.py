"""HCL2 syntax → a small typed expression tree with line numbers.

Parsing is python-hcl2's Lark grammar (``hcl2.api.parses_to_tree``); this module turns the raw parse tree
into :class:`Body`/:class:`Block` and expression nodes that :mod:`.tfeval` evaluates. Heredoc templates are
a single token in the grammar, so their ``${…}`` interpolations are parsed here. Depth and size are bounded:
hostile input raises :class:`HclError`, never ``RecursionError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 200
MAX_SOURCE = 4 * 1024 * 1024


class HclError(Exception):
    """A file that is not valid HCL (or is too large or deep to analyze); message is one line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


# ---- expression nodes -------------------------------------------------------------------------------


class Expr:
    __slots__ = ("line",)
    line: int


class Lit(Expr):
    __slots__ = ("value",)

    def __init__(self, value: Any, line: int) -> None:
        self.value, self.line = value, line


class Template(Expr):
    """A quoted string or heredoc: literal text and interpolated expressions (directives included)."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[str | Expr | Directive], line: int) -> None:
        self.parts, self.line = parts, line


class Directive(Expr):
    """``%{ if c }…%{ else }…%{ endif }`` / ``%{ for x in xs }…%{ endfor }`` already assembled."""

    __slots__ = ("coll", "cond", "key", "kind", "other", "then", "value")

    def __init__(self, kind: str, line: int) -> None:
        self.kind, self.line = kind, line
        self.cond: Expr | None = None
        self.then: list[str | Expr | Directive] = []
        self.other: list[str | Expr | Directive] = []
        self.key: str | None = None
        self.value: str = ""
        self.coll: Expr | None = None


class TupleExpr(Expr):
    __slots__ = ("items",)

    def __init__(self, items: list[Expr], line: int) -> None:
        self.items, self.line = items, line


class ObjectExpr(Expr):
    __slots__ = ("items",)

    def __init__(self, items: list[tuple[Expr, Expr]], line: int) -> None:
        self.items, self.line = items, line


class Var(Expr):
    __slots__ = ("name",)

    def __init__(self, name: str, line: int) -> None:
        self.name, self.line = name, line


class GetAttr(Expr):
    __slots__ = ("name", "obj")

    def __init__(self, obj: Expr, name: str, line: int) -> None:
        self.obj, self.name, self.line = obj, name, line


class Index(Expr):
    __slots__ = ("key", "obj")

    def __init__(self, obj: Expr, key: Expr, line: int) -> None:
        self.obj, self.key, self.line = obj, key, line


class Splat(Expr):
    """``x[*].a.b`` / ``x.*.a``: apply ``ops`` (("attr", name) | ("index", Expr)) to every element."""

    __slots__ = ("obj", "ops")

    def __init__(self, obj: Expr, ops: list[tuple[str, Any]], line: int) -> None:
        self.obj, self.ops, self.line = obj, ops, line


class Call(Expr):
    __slots__ = ("args", "expand", "name")

    def __init__(self, name: str, args: list[Expr], expand: bool, line: int) -> None:
        self.name, self.args, self.expand, self.line = name, args, expand, line


class Cond(Expr):
    __slots__ = ("cond", "other", "then")

    def __init__(self, cond: Expr, then: Expr, other: Expr, line: int) -> None:
        self.cond, self.then, self.other, self.line = cond, then, other, line


class BinOp(Expr):
    __slots__ = ("left", "op", "right")

    def __init__(self, op: str, left: Expr, right: Expr, line: int) -> None:
        self.op, self.left, self.right, self.line = op, left, right, line


class Unary(Expr):
    __slots__ = ("expr", "op")

    def __init__(self, op: str, expr: Expr, line: int) -> None:
        self.op, self.expr, self.line = op, expr, line


class ForExpr(Expr):
    """``[for k, v in coll : expr if cond]`` (``key_expr`` is None) or ``{for … : k => v...}``."""

    __slots__ = ("coll", "cond", "group", "key_expr", "key_var", "value_expr", "value_var")

    def __init__(
        self,
        key_var: str | None,
        value_var: str,
        coll: Expr,
        key_expr: Expr | None,
        value_expr: Expr,
        cond: Expr | None,
        group: bool,
        line: int,
    ) -> None:
        self.key_var, self.value_var, self.coll = key_var, value_var, coll
        self.key_expr, self.value_expr, self.cond, self.group, self.line = key_expr, value_expr, cond, group, line


# ---- structure ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Attribute:
    name: str
    expr: Expr
    line: int
    end_line: int


@dataclass(slots=True)
class Block:
    type: str
    labels: list[str]
    body: Body
    line: int
    end_line: int


@dataclass(slots=True)
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


# ---- conversion ---------------------------------------------------------------------------------------


def parse_hcl(text: str) -> Body:
    """Parse one HCL file. Raises :class:`HclError` with a one-line message on any problem.

    The fast reader (:mod:`.hclfast`) handles what it can read exactly as the grammar does; everything else
    (including every invalid file, for its error message) goes to python-hcl2's Lark parser."""
    if len(text) > MAX_SOURCE:
        raise HclError(f"file too large to analyze ({len(text)} characters, limit {MAX_SOURCE})")
    if not text.endswith("\n"):
        text += "\n"
    from garrison.scan.analyzers.iac.parsers.hclfast import Decline, parse_fast

    try:
        return parse_fast(text)
    except (Decline, ValueError, RecursionError):
        pass
    return parse_hcl_reference(text)


def parse_hcl_reference(text: str) -> Body:
    """The reference path: python-hcl2's Lark grammar, then :class:`_Converter` (``text`` ends with a newline)."""
    from hcl2.api import parses_to_tree
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        tree = parses_to_tree(text)
    except UnexpectedInput as exc:
        raise HclError(f"invalid HCL at line {exc.line}, column {exc.column}", exc.line) from None
    except LarkError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise HclError(f"invalid HCL: {first[:200]}") from None
    except RecursionError:
        raise HclError("input nested too deeply") from None
    try:
        return _Converter().body(tree.children[0], 0)
    except RecursionError:
        raise HclError("input nested too deeply") from None
    except ValueError as exc:  # a numeric literal the grammar accepts but Python cannot read ("-1-2.5")
        raise HclError(f"invalid HCL: {str(exc)[:200]}") from None


def parse_expression(text: str, line: int = 1) -> Expr:
    """Parse a lone expression (used for heredoc interpolations and ``-var`` style values)."""
    body = parse_hcl(f"__x = {text}\n")
    attr = body.attributes.get("__x")
    if attr is None:
        raise HclError("not an expression")
    _shift(attr.expr, line - 1)
    return attr.expr


def _shift(expr: Expr, by: int) -> None:
    if by:
        expr.line += by


def _line(node: Any) -> int:
    meta = getattr(node, "meta", None)
    if meta is not None and not getattr(meta, "empty", True):
        return int(meta.line)
    return int(getattr(node, "line", 0) or 0)


def _end_line(node: Any) -> int:
    meta = getattr(node, "meta", None)
    if meta is not None and not getattr(meta, "empty", True):
        return int(meta.end_line)
    return _line(node)


def _is_tree(node: Any) -> bool:
    return hasattr(node, "data")


def _name(node: Any) -> str:
    """identifier / keyword / literal_value / string label → its text."""
    if _is_tree(node):
        if node.data == "string":
            return "".join(
                str(p.children[0]) for p in node.children if _is_tree(p) and p.children and not _is_tree(p.children[0])
            )
        return str(node.children[0])
    return str(node)


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)


def unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def sub(m: re.Match[str]) -> str:
        s = m.group(1)
        if s[0] in "uU" and len(s) > 1:
            cp = int(s[1:], 16)
            return chr(cp) if cp <= 0x10FFFF and not 0xD800 <= cp < 0xE000 else m.group(0)
        return _ESCAPES.get(s, m.group(0))

    return _ESCAPE_RE.sub(sub, text)


class _Converter:
    def body(self, node: Any, depth: int) -> Body:
        if depth > MAX_DEPTH:
            raise HclError("input nested too deeply", _line(node))
        out = Body()
        for child in node.children:
            if not _is_tree(child):
                continue
            if child.data == "attribute":
                name = _name(child.children[0])
                expr = self.expr(child.children[-1], depth + 1)
                out.attributes[name] = Attribute(name, expr, _line(child), _end_line(child))
            elif child.data == "block":
                kids = [c for c in child.children if _is_tree(c)]
                body_node = next(c for c in kids if c.data == "body")
                labels = [_name(c) for c in kids if c.data != "body" and c.data != "new_line_or_comment"]
                closing = [t for t in child.children if not _is_tree(t) and str(t) == "}"]
                end = int(closing[-1].line) if closing else _end_line(child)
                out.blocks.append(Block(labels[0], labels[1:], self.body(body_node, depth + 1), _line(child), end))
        return out

    def expr(self, node: Any, depth: int) -> Expr:
        if depth > MAX_DEPTH:
            raise HclError("expression nested too deeply", _line(node))
        d = depth + 1
        data = node.data
        kids = [c for c in node.children if not (_is_tree(c) and c.data == "new_line_or_comment")]
        line = _line(node)
        if data == "expr_term":
            trees = [c for c in kids if _is_tree(c)]
            if len(trees) == 1 and len(kids) == 3:  # ( expression )
                return self.expr(trees[0], d)
            return self.expr(trees[0], d)
        if data == "identifier":
            return Var(str(kids[0]), line)
        if data == "literal_value":
            text = str(kids[0])
            return Lit({"true": True, "false": False, "null": None}[text], line)
        if data == "int_lit":
            return Lit(int(str(kids[0])), line)
        if data == "float_lit":
            return Lit(float(str(kids[0])), line)
        if data == "string":
            return Template(self.template_parts(kids, d), line)
        if data == "template_string":
            return Lit(unescape(str(kids[0])[2:-2]), line)
        if data in ("heredoc_template", "heredoc_template_trim"):
            return heredoc(str(kids[0]), data == "heredoc_template_trim", line)
        if data == "tuple":
            return TupleExpr([self.expr(c, d) for c in kids if _is_tree(c)], line)
        if data == "object":
            items: list[tuple[Expr, Expr]] = []
            for elem in kids:
                if not _is_tree(elem) or elem.data != "object_elem":
                    continue
                parts = [c for c in elem.children if _is_tree(c)]
                key_node = parts[0].children[0]
                if _is_tree(key_node) and key_node.data == "keyword":
                    key: Expr = Lit(str(key_node.children[0]), _line(elem))
                else:
                    key = self.expr(key_node, d)
                    if isinstance(key, Var):
                        key = Lit(key.name, key.line)
                items.append((key, self.expr(parts[-1], d)))
            return ObjectExpr(items, line)
        if data == "function_call":
            names = [c for c in kids if _is_tree(c) and c.data == "identifier"]
            fname = "::".join(str(n.children[0]) for n in names)
            args_node = next((c for c in kids if _is_tree(c) and c.data == "arguments"), None)
            args: list[Expr] = []
            expand = False
            if args_node is not None:
                for a in args_node.children:
                    if _is_tree(a) and a.data != "new_line_or_comment":
                        args.append(self.expr(a, d))
                    elif not _is_tree(a) and str(a) == "...":
                        expand = True
            return Call(fname, args, expand, line)
        if data == "get_attr_expr_term":
            return GetAttr(self.expr(kids[0], d), _name(kids[1].children[-1]), line)
        if data == "index_expr_term":
            return self.index(self.expr(kids[0], d), kids[1], d, line)
        if data in ("attr_splat_expr_term", "full_splat_expr_term"):
            obj = self.expr(kids[0], d)
            ops: list[tuple[str, Any]] = []
            for op in kids[1].children:
                if not _is_tree(op):
                    continue
                if op.data == "get_attr":
                    ops.append(("attr", _name(op.children[-1])))
                elif op.data == "short_index":
                    ops.append(("index", Lit(int(str(op.children[-1])), line)))
                elif op.data == "braces_index":
                    inner = [c for c in op.children if _is_tree(c) and c.data != "new_line_or_comment"]
                    ops.append(("index", self.expr(inner[0], d)))
            return Splat(obj, ops, line)
        if data == "conditional":
            trees = [c for c in kids if _is_tree(c)]
            return Cond(self.expr(trees[0], d), self.expr(trees[1], d), self.expr(trees[2], d), line)
        if data == "binary_op":
            trees = [c for c in kids if _is_tree(c)]
            left = self.expr(trees[0], d)
            term = trees[1]
            term_kids = [c for c in term.children if _is_tree(c) and c.data != "new_line_or_comment"]
            # the post-lexer merges a preceding line break or comment into the operator token ("\n  &&")
            op = _operator_text(str(term_kids[0].children[0]))
            return BinOp(op, left, self.expr(term_kids[1], d), line)
        if data == "unary_op":
            return Unary(str(kids[0]), self.expr(kids[1], d), line)
        if data in ("for_tuple_expr", "for_object_expr"):
            return self.for_expr(node, data == "for_object_expr", d, line)
        raise HclError(f"unsupported HCL construct {data!r}", line)

    def index(self, obj: Expr, idx: Any, depth: int, line: int) -> Expr:
        if idx.data == "short_index":
            return Index(obj, Lit(int(str(idx.children[-1])), line), line)
        inner = [c for c in idx.children if _is_tree(c) and c.data != "new_line_or_comment"]
        return Index(obj, self.expr(inner[0], depth), line)

    def for_expr(self, node: Any, is_object: bool, depth: int, line: int) -> Expr:
        trees = [c for c in node.children if _is_tree(c) and c.data != "new_line_or_comment"]
        intro = trees[0]
        intro_trees = [c for c in intro.children if _is_tree(c) and c.data != "new_line_or_comment"]
        idents = [str(c.children[0]) for c in intro_trees if c.data == "identifier"]
        coll = self.expr(intro_trees[-1], depth)
        key_var, value_var = (idents[0], idents[1]) if len(idents) == 2 else (None, idents[0])
        cond_node = next((c for c in trees if c.data == "for_cond"), None)
        cond = None
        if cond_node is not None:
            ct = [c for c in cond_node.children if _is_tree(c) and c.data != "new_line_or_comment"]
            cond = self.expr(ct[0], depth)
        exprs = [c for c in trees[1:] if c.data != "for_cond"]
        group = any(not _is_tree(c) and str(c) == "..." for c in node.children)
        if is_object:
            return ForExpr(
                key_var, value_var, coll, self.expr(exprs[0], depth), self.expr(exprs[1], depth), cond, group, line
            )
        return ForExpr(key_var, value_var, coll, None, self.expr(exprs[0], depth), cond, False, line)

    def template_parts(self, kids: list[Any], depth: int) -> list[str | Expr | Directive]:
        flat: list[Any] = []
        for part in kids:
            if not _is_tree(part) or part.data != "string_part":
                continue
            inner = part.children[0]
            if not _is_tree(inner):
                text = str(inner)
                if text.startswith(("$${", "%%{")):
                    text = text[1:]
                flat.append(unescape(text))
            elif inner.data == "interpolation":
                trees = [c for c in inner.children if _is_tree(c)]
                flat.append(self.expr(trees[0], depth))
            else:
                flat.append(self.directive_token(inner, depth))
        return _assemble(flat, _line(kids[0]) if kids else 0)

    def directive_token(self, node: Any, depth: int) -> tuple[str, Any]:
        trees = [c for c in node.children if _is_tree(c)]
        if node.data == "template_if_start":
            return ("if", self.expr(trees[0], depth))
        if node.data == "template_for_start":
            idents = [str(c.children[0]) for c in trees if c.data == "identifier"]
            return ("for", (idents, self.expr(trees[-1], depth)))
        return (node.data.replace("template_", ""), None)


_OPERATORS = ("==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%")


def _operator_text(token: str) -> str:
    for op in _OPERATORS:
        if token.endswith(op):
            return op
    return token


def _assemble(flat: list[Any], line: int) -> list[str | Expr | Directive]:
    """Turn the grammar's flat directive markers into nested :class:`Directive` nodes."""
    root: list[str | Expr | Directive] = []
    stack: list[tuple[Directive, list[str | Expr | Directive]]] = []
    current = root
    for item in flat:
        if isinstance(item, tuple):
            kind, payload = item
            if kind == "if":
                d = Directive("if", line)
                d.cond = payload
                current.append(d)
                stack.append((d, current))
                current = d.then
            elif kind == "for":
                d = Directive("for", line)
                idents, coll = payload
                d.key, d.value = (idents[0], idents[1]) if len(idents) == 2 else (None, idents[0])
                d.coll = coll
                current.append(d)
                stack.append((d, current))
                current = d.then
            elif kind == "else" and stack and stack[-1][0].kind == "if":
                current = stack[-1][0].other
            elif kind in ("endif", "endfor") and stack:
                _, current = stack.pop()
            else:
                raise HclError(f"unbalanced template directive %{{{kind}}}", line)
        else:
            current.append(item)
    if stack:
        raise HclError("unterminated template directive", line)
    return root


_HEREDOC_HEAD = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\r?\n")


def heredoc(token: str, trim: bool, line: int) -> Expr:
    m = _HEREDOC_HEAD.match(token)
    if not m:
        raise HclError("invalid heredoc", line)
    body = token[m.end() :].rstrip("\r\n")
    body = body[: len(body) - len(m.group(1))] if body.endswith(m.group(1)) else body
    lines = body.split("\n")
    if lines and not lines[-1].strip():
        lines = lines[:-1]
    if trim:
        indents = [len(s) - len(s.lstrip(" \t")) for s in lines if s.strip()]
        cut = min(indents) if indents else 0
        lines = [s[cut:] for s in lines]
    text = "\n".join(lines) + ("\n" if lines else "")
    return Template(split_template(text, line + 1), line)


def split_template(text: str, line: int) -> list[str | Expr | Directive]:
    """Split heredoc text into literal text and ``${…}`` interpolations (directives are kept literal)."""
    parts: list[str | Expr | Directive] = []
    i = 0
    buf: list[str] = []
    n = len(text)
    while i < n:
        if text.startswith("$${", i):
            buf.append("${")
            i += 3
            continue
        if text.startswith("${", i):
            end = _matching_brace(text, i + 2)
            if end < 0:
                raise HclError("unterminated interpolation in heredoc", line)
            if buf:
                parts.append("".join(buf))
                buf = []
            parts.append(parse_expression(text[i + 2 : end].strip(), line + text.count("\n", 0, i)))
            i = end + 1
            continue
        buf.append(text[i])
        i += 1
    if buf:
        parts.append("".join(buf))
    return parts


def _matching_brace(text: str, start: int) -> int:
    depth = 0
    i = start
    in_str = False
    while i < len(text):
        c = text[i]
        if in_str:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1
