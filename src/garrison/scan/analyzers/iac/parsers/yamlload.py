"""Safe YAML loading with line numbers, for CloudFormation, Kubernetes and Compose files.

Mappings load as :class:`LineDict` (a ``dict`` that knows its first and last line). Only the safe scalar types
are constructed; CloudFormation's short-form intrinsic tags (``!Ref``, ``!Sub``, ``!GetAtt``, ``!If``, …) become
their long form (``{"Ref": …}``, ``{"Fn::GetAtt": [..]}``) when ``cloudformation=True`` and are rejected
otherwise, like every other tag. Aliases are limited (no "billion laughs"), as are size and nesting depth.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from garrison.core.yamldepth import c_loader_safe

MAX_YAML = 4 * 1024 * 1024
MAX_NODES = 500_000
MAX_ALIASES = 100
MAX_DEPTH = 100


class YamlError(Exception):
    """Invalid or hostile YAML; the message is one line."""


class LineDict(dict[str, Any]):
    """A mapping that remembers where it was in the file (1-based, inclusive)."""

    __slots__ = ("end_line", "key_lines", "start_line")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_line = 0
        self.end_line = 0
        self.key_lines: dict[str, int] = {}


_CFN_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!Base64": "Fn::Base64",
    "!Cidr": "Fn::Cidr",
    "!FindInMap": "Fn::FindInMap",
    "!GetAtt": "Fn::GetAtt",
    "!GetAZs": "Fn::GetAZs",
    "!ImportValue": "Fn::ImportValue",
    "!Join": "Fn::Join",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!Sub": "Fn::Sub",
    "!Transform": "Fn::Transform",
    "!And": "Fn::And",
    "!Equals": "Fn::Equals",
    "!If": "Fn::If",
    "!Not": "Fn::Not",
    "!Or": "Fn::Or",
    "!Length": "Fn::Length",
    "!ToJsonString": "Fn::ToJsonString",
}


def _end_line(node: Node) -> int:
    """Last line (1-based) of a node. A block collection's end mark is where the next token starts, so it
    ended on the line before; a flow collection or scalar ends on its end mark's line."""
    end = node.end_mark
    block = isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style
    line = end.line if block and end.line > node.start_mark.line else end.line + 1
    return max(line, node.start_mark.line + 1)


class _Builder:
    def __init__(self, cloudformation: bool) -> None:
        self.cfn = cloudformation
        self.nodes = 0
        self.constructor = yaml.constructor.SafeConstructor()
        self.aliases = 0
        self.seen: set[int] = set()

    def build(self, node: Node, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlError(f"document too large (more than {MAX_NODES} nodes after alias expansion)")
        if depth > MAX_DEPTH:
            raise YamlError("document nested too deeply")
        if id(node) in self.seen:
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise YamlError(f"too many aliases (limit {MAX_ALIASES})")
        tag = node.tag or ""
        if tag.startswith("!") and not tag.startswith("!!"):
            if not self.cfn or tag not in _CFN_TAGS:
                raise YamlError(f"unsupported tag {tag} at line {node.start_mark.line + 1}")
            name = _CFN_TAGS[tag]
            if isinstance(node, ScalarNode):
                value: Any = node.value
                if name == "Fn::GetAtt":
                    value = value.split(".", 1)
                elif name == "Fn::GetAZs" and value == "":
                    value = ""
            elif isinstance(node, SequenceNode):
                value = [self.build(n, depth + 1) for n in node.value]
            else:
                value = self._mapping(node, depth)  # type: ignore[arg-type]
            d = LineDict({name: value})
            d.start_line = node.start_mark.line + 1
            d.end_line = _end_line(node)
            return d
        if isinstance(node, MappingNode):
            self.seen.add(id(node))
            return self._mapping(node, depth)
        if isinstance(node, SequenceNode):
            self.seen.add(id(node))
            return [self.build(n, depth + 1) for n in node.value]
        if isinstance(node, ScalarNode):
            if tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"):
                return node.value
            if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and ":" in node.value:
                # YAML 1.1 base-60 ("22:22" -> 1342): Compose and Kubernetes read these as strings (YAML 1.2),
                # and a port mapping such as 2222:22 must stay a port mapping
                return node.value
            try:
                return self.constructor.construct_object(node, deep=False)
            except yaml.YAMLError:
                return node.value
        raise YamlError("unsupported YAML node")

    def _mapping(self, node: MappingNode, depth: int) -> LineDict:
        out = LineDict()
        out.start_line = node.start_mark.line + 1
        out.end_line = _end_line(node)
        for k_node, v_node in node.value:
            if k_node.tag == "tag:yaml.org,2002:merge":
                merged = self.build(v_node, depth + 1)
                for m in merged if isinstance(merged, list) else [merged]:
                    if isinstance(m, dict):
                        for mk, mv in m.items():
                            out.setdefault(mk, mv)
                continue
            key = self.build(k_node, depth + 1)
            if isinstance(key, (dict, list)):
                raise YamlError(f"unsupported complex key at line {k_node.start_mark.line + 1}")
            skey = (
                key
                if isinstance(key, str)
                else ("null" if key is None else str(key).lower() if isinstance(key, bool) else str(key))
            )
            out[skey] = self.build(v_node, depth + 1)
            out.key_lines[skey] = k_node.start_mark.line + 1
        return out


class _Loader(yaml.SafeLoader):
    pass


#: libyaml's parser (composition in C, ~5x faster); the same resolver and the same node graph
_FastLoader: type | None = getattr(yaml, "CSafeLoader", None)


def load_documents(text: str, *, cloudformation: bool = False, pure: bool = False) -> list[Any]:
    """Every document of a YAML stream, with :class:`LineDict` mappings. Raises :class:`YamlError`.

    libyaml composes when it is available and the nesting is bounded; ``pure`` forces the Python composer
    (the tests hold the two to identical documents and line numbers)."""
    if len(text) > MAX_YAML:
        raise YamlError(f"file too large to analyze ({len(text)} characters, limit {MAX_YAML})")
    if not text.endswith("\n"):
        text += "\n"
    builder = _Builder(cloudformation)
    docs: list[Any] = []
    try:
        fast = not pure and _FastLoader is not None and c_loader_safe(text)
        loader = (_FastLoader if fast and _FastLoader is not None else _Loader)(text)
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is not None:
                    docs.append(builder.build(node))
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or (str(exc).splitlines() or ["invalid"])[0]
        raise YamlError(f"invalid YAML{where}: {problem}") from None
    except RecursionError:
        raise YamlError("document nested too deeply") from None
    return docs
