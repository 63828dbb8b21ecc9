"""Terraform's JSON configuration syntax (``*.tf.json``) → the same :class:`~.hcl.Body` AST as HCL files.

Terraform reads a ``.tf.json`` file with the same meaning as a ``.tf`` file: top-level properties are block
types (``resource`` → type → name → body, ``variable``/``module``/``provider``/``data``/``locals``/``output``;
each level an object, or an array of objects), and inside a body every string is a *template*
(``"${var.region}"``, ``"bucket-${count.index}"``) while numbers, booleans and null are literals. The
exceptions Terraform makes are kept: a ``variable`` default, ``depends_on`` and a module ``source`` are
literal, ``"//"`` properties are comments, ``dynamic``/``lifecycle``/``provisioner``/``connection`` are
nested blocks.

Terraform tells nested blocks from object-valued arguments by the provider schema, which a static scanner
does not have; here a JSON object or array of objects in a resource body is an object/tuple *value*. The
checks read both shapes the same way (``versioning.enabled`` through a block list or an object alike), and
``tests/scan/analyzers/iac/test_tfjson.py`` holds HCL and JSON spellings of the same configuration to the
same findings. Documents are read by the line-aware YAML loader (JSON is YAML), so findings point at lines.
"""

from __future__ import annotations

from typing import Any

from garrison.scan.analyzers.iac.parsers.hcl import (
    MAX_SOURCE,
    Attribute,
    Block,
    Body,
    Expr,
    HclError,
    Lit,
    ObjectExpr,
    Template,
    TupleExpr,
    split_template,
)
from garrison.scan.analyzers.iac.parsers.yamlload import LineDict, YamlError, load_documents

#: nested properties that are blocks whatever the provider schema says
_META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})
#: top-level block types and how many labels their nesting carries
_LABELS = {
    "resource": 2,
    "data": 2,
    "variable": 1,
    "module": 1,
    "provider": 1,
    "output": 1,
    "locals": 0,
    "terraform": 0,
}
MAX_JSON_DEPTH = 200


def is_tf_json(path: str) -> bool:
    return path.lower().endswith(".tf.json")


def parse_tf_json(text: str) -> Body:
    """One ``.tf.json`` file. Raises :class:`~.hcl.HclError` with a one-line message on any problem."""
    if len(text) > MAX_SOURCE:
        raise HclError(f"file too large to analyze ({len(text)} characters, limit {MAX_SOURCE})")
    if not text.strip():
        return Body()
    try:
        docs = load_documents(text)
    except YamlError as exc:
        raise HclError(f"invalid Terraform JSON: {str(exc).removeprefix('invalid YAML')}".rstrip(": ")) from None
    if len(docs) != 1 or not isinstance(docs[0], dict):
        raise HclError("invalid Terraform JSON: the document must be one JSON object")
    root: dict[str, Any] = docs[0]
    out = Body()
    for block_type, value in root.items():
        if block_type == "//":
            continue
        labels = _LABELS.get(block_type)
        if labels is None:
            continue  # moved, import, check, …: nothing a check reads
        line = _key_line(root, block_type)
        for obj, names, start in _labelled(value, labels, line, block_type):
            body = _locals(obj) if block_type == "locals" else _body(obj, block_type, 1)
            out.blocks.append(Block(block_type, names, body, start, _end_line(obj, start)))
    return out


def _labelled(value: Any, depth: int, line: int, where: str) -> list[tuple[dict[str, Any], list[str], int]]:
    """Walk ``depth`` label levels (each an object or an array of objects) down to the block bodies."""
    if isinstance(value, list):
        return [x for item in value for x in _labelled(item, depth, line, where)]
    if not isinstance(value, dict):
        raise HclError(f"invalid Terraform JSON: {where} must be an object, found {_kind(value)} at line {line}")
    if depth == 0:
        return [(value, [], _start_line(value, line))]
    out = []
    for name, inner in value.items():
        if name == "//":
            continue
        key_line = _key_line(value, name) or line
        for obj, names, start in _labelled(inner, depth - 1, key_line, f"{where} {name!r}"):
            out.append((obj, [name, *names], key_line if depth == 1 else start))
    return out


def _locals(obj: dict[str, Any]) -> Body:
    out = Body()
    for name, value in obj.items():
        if name != "//":
            line = _key_line(obj, name)
            out.attributes[name] = Attribute(name, _expr(value, line, 0), line, _end_line(value, line))
    return out


def _body(obj: dict[str, Any], block_type: str, depth: int) -> Body:
    if depth > MAX_JSON_DEPTH:
        raise HclError("invalid Terraform JSON: nested too deeply")
    out = Body()
    for name, value in obj.items():
        if name == "//":
            continue
        line = _key_line(obj, name)
        if name == "dynamic" and isinstance(value, dict):
            for label, inner in value.items():
                for spec in inner if isinstance(inner, list) else [inner]:
                    if isinstance(spec, dict):
                        out.blocks.append(_dynamic(label, spec, _key_line(value, label) or line, depth + 1))
            continue
        if name in _META_BLOCKS and isinstance(value, (dict, list)):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    out.blocks.append(Block(name, [], _body(item, name, depth + 1), line, _end_line(item, line)))
            continue
        literal = (
            name == "depends_on"
            or (block_type == "variable" and name in ("default", "type"))
            or (block_type == "module" and name == "source")
        )
        expr = Lit(_plain(value), line) if literal else _expr(value, line, depth + 1)
        out.attributes[name] = Attribute(name, expr, line, _end_line(value, line))
    return out


def _dynamic(label: str, spec: dict[str, Any], line: int, depth: int) -> Block:
    body = Body()
    for name, value in spec.items():
        if name == "//":
            continue
        key_line = _key_line(spec, name) or line
        if name == "content" and isinstance(value, dict):
            body.blocks.append(
                Block("content", [], _body(value, "content", depth + 1), key_line, _end_line(value, line))
            )
        elif name == "iterator" and isinstance(value, str):
            body.attributes[name] = Attribute(name, Lit(value, key_line), key_line, key_line)
        else:
            body.attributes[name] = Attribute(name, _expr(value, key_line, depth + 1), key_line, key_line)
    return Block("dynamic", [label], body, line, _end_line(spec, line))


def _expr(value: Any, line: int, depth: int) -> Expr:
    if depth > MAX_JSON_DEPTH:
        raise HclError("invalid Terraform JSON: nested too deeply")
    if isinstance(value, str):
        if "${" not in value and "%{" not in value:
            return Lit(value, line)
        return Template(split_template(value, line), line)  # raises HclError on a bad interpolation
    if isinstance(value, list):
        return TupleExpr([_expr(v, line, depth + 1) for v in value], line)
    if isinstance(value, dict):
        items: list[tuple[Expr, Expr]] = []
        for k, v in value.items():
            if k != "//":
                key_line = _key_line(value, k) or line
                items.append((Lit(str(k), key_line), _expr(v, key_line, depth + 1)))
        return ObjectExpr(items, _start_line(value, line))
    if value is None or isinstance(value, (bool, int, float)):
        return Lit(value, line)
    return Lit(str(value), line)  # a YAML-only scalar (a date) the JSON cannot have produced: its text


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if k != "//"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _key_line(obj: Any, key: str) -> int:
    return obj.key_lines.get(key, 0) if isinstance(obj, LineDict) else 0


def _start_line(obj: Any, default: int) -> int:
    return obj.start_line if isinstance(obj, LineDict) and obj.start_line else default


def _end_line(obj: Any, default: int) -> int:
    return max(obj.end_line, default) if isinstance(obj, LineDict) and obj.end_line else default


def _kind(value: Any) -> str:
    return "a list" if isinstance(value, list) else "null" if value is None else type(value).__name__
