"""CloudFormation templates (YAML or JSON) → resources.

Intrinsic functions are evaluated where the template decides them: ``Ref`` to a parameter with a default,
``Fn::Sub``/``Fn::Join``/``Fn::Select``/``Fn::Split``/``Fn::FindInMap`` over known values, ``Fn::If`` over a
condition that is decidable from defaults. ``Ref``/``Fn::GetAtt`` to a resource become :class:`Ref` values (the
reference graph); pseudo parameters and imports are :data:`UNKNOWN`. Resources whose ``Condition`` is known to
be false are dropped; ``AWS::NoValue`` removes the property.
"""

from __future__ import annotations

import re
from typing import Any

from garrison.scan.analyzers.iac.model import UNKNOWN, Partial, Ref, Resource, contains_unknown, is_unknown
from garrison.scan.analyzers.iac.parsers.yamlload import LineDict, load_documents

_NOVALUE = object()
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")
MAX_RESOLVE_DEPTH = 64


def looks_like_cloudformation(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    if "AWSTemplateFormatVersion" in doc:
        return True
    res = doc.get("Resources")
    return isinstance(res, dict) and any(
        isinstance(v, dict) and isinstance(v.get("Type"), str) and "::" in v["Type"] for v in res.values()
    )


def parse_cloudformation_text(text: str) -> Any:
    """The template document, or None when the file is not a CloudFormation template."""
    docs = load_documents(text, cloudformation=True)
    if len(docs) != 1 or not looks_like_cloudformation(docs[0]):
        return None
    return docs[0]


class _Template:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        res = doc.get("Resources")
        self.resources: dict[str, Any] = res if isinstance(res, dict) else {}
        params = doc.get("Parameters")
        self.params: dict[str, Any] = {}
        if isinstance(params, dict):
            for name, spec in params.items():
                default = spec.get("Default", UNKNOWN) if isinstance(spec, dict) else UNKNOWN
                self.params[str(name)] = default
        conds = doc.get("Conditions")
        self.condition_exprs: dict[str, Any] = conds if isinstance(conds, dict) else {}
        self.condition_values: dict[str, Any] = {}
        maps = doc.get("Mappings")
        self.mappings: dict[str, Any] = maps if isinstance(maps, dict) else {}
        self.refs: set[str] = set()
        self._resolving: set[str] = set()

    def address(self, logical: str) -> str | None:
        spec = self.resources.get(logical)
        if isinstance(spec, dict) and isinstance(spec.get("Type"), str):
            return f"{spec['Type']}.{logical}"
        return None

    def condition(self, name: str) -> Any:
        if name in self.condition_values:
            return self.condition_values[name]
        if name in self._resolving or name not in self.condition_exprs:
            return UNKNOWN
        self._resolving.add(name)
        value = self.resolve(self.condition_exprs[name])
        self._resolving.discard(name)
        value = value if isinstance(value, bool) else UNKNOWN
        self.condition_values[name] = value
        return value

    def ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return UNKNOWN
        if name == "AWS::NoValue":
            return _NOVALUE
        if name in self.params:
            return self.params[name]
        addr = self.address(name)
        if addr is not None:
            self.refs.add(addr)
            return Ref(addr)
        return UNKNOWN

    def resolve(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_RESOLVE_DEPTH:
            return UNKNOWN
        d = depth + 1
        if isinstance(value, list):
            out_list = []
            for v in value:
                r = self.resolve(v, d)
                if r is not _NOVALUE:
                    out_list.append(r)
            return out_list
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref":
                return self.ref(self.resolve(arg, d))
            if fn == "Condition":
                return self.condition(arg) if isinstance(arg, str) else UNKNOWN
            if fn == "Fn::GetAtt":
                parts = arg.split(".", 1) if isinstance(arg, str) else arg
                if isinstance(parts, list) and len(parts) == 2 and isinstance(parts[0], str):
                    addr = self.address(parts[0])
                    if addr is not None:
                        self.refs.add(addr)
                        return Ref(addr, str(self.resolve(parts[1], d)))
                return UNKNOWN
            if fn == "Fn::Sub":
                return self._sub(arg, d)
            if fn == "Fn::Join":
                if isinstance(arg, list) and len(arg) == 2:
                    sep, items = self.resolve(arg[0], d), self.resolve(arg[1], d)
                    if isinstance(sep, str) and isinstance(items, list) and not contains_unknown(items):
                        return sep.join(str(i) for i in items)
                return UNKNOWN
            if fn == "Fn::Select":
                if isinstance(arg, list) and len(arg) == 2:
                    i, items = self.resolve(arg[0], d), self.resolve(arg[1], d)
                    try:
                        idx = int(i)
                    except (TypeError, ValueError):
                        return UNKNOWN
                    if isinstance(items, list) and 0 <= idx < len(items):
                        return items[idx]
                return UNKNOWN
            if fn == "Fn::Split":
                if isinstance(arg, list) and len(arg) == 2:
                    sep, s = self.resolve(arg[0], d), self.resolve(arg[1], d)
                    if isinstance(sep, str) and sep and isinstance(s, str):
                        return s.split(sep)
                return UNKNOWN
            if fn == "Fn::If":
                if isinstance(arg, list) and len(arg) == 3:
                    c = self.condition(arg[0]) if isinstance(arg[0], str) else UNKNOWN
                    a, b = self.resolve(arg[1], d), self.resolve(arg[2], d)
                    if c is True:
                        return a
                    if c is False:
                        return b
                    return a if (not is_unknown(a) and not is_unknown(b) and a == b) else UNKNOWN
                return UNKNOWN
            if fn == "Fn::Equals":
                if isinstance(arg, list) and len(arg) == 2:
                    a, b = self.resolve(arg[0], d), self.resolve(arg[1], d)
                    if contains_unknown(a) or contains_unknown(b):
                        return UNKNOWN
                    return str(a) == str(b)
                return UNKNOWN
            if fn in ("Fn::And", "Fn::Or"):
                vals = [self.resolve(a, d) for a in arg] if isinstance(arg, list) else [UNKNOWN]
                if fn == "Fn::And":
                    if any(v is False for v in vals):
                        return False
                    return True if all(v is True for v in vals) else UNKNOWN
                if any(v is True for v in vals):
                    return True
                return False if all(v is False for v in vals) else UNKNOWN
            if fn == "Fn::Not":
                v = self.resolve(arg[0] if isinstance(arg, list) and arg else arg, d)
                return (not v) if isinstance(v, bool) else UNKNOWN
            if fn == "Fn::FindInMap":
                if isinstance(arg, list) and len(arg) >= 3:
                    m, k1, k2 = (self.resolve(a, d) for a in arg[:3])
                    try:
                        return self.mappings[m][k1][k2]
                    except (KeyError, TypeError):
                        return UNKNOWN
                return UNKNOWN
            if fn == "Fn::Base64":
                return self.resolve(arg, d)
            if fn in ("Fn::GetAZs", "Fn::ImportValue", "Fn::Cidr", "Fn::Transform", "Fn::Length", "Fn::ToJsonString"):
                self.resolve(arg, d)
                return UNKNOWN
        out = LineDict()
        if isinstance(value, LineDict):
            out.start_line, out.end_line, out.key_lines = value.start_line, value.end_line, value.key_lines
        for k, v in value.items():
            r = self.resolve(v, d)
            if r is not _NOVALUE:
                out[k] = r
        return out

    def _sub(self, arg: Any, depth: int) -> Any:
        variables: dict[str, Any] = {}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            variables = {k: self.resolve(v, depth) for k, v in arg[1].items()}
            arg = arg[0]
        if not isinstance(arg, str):
            return UNKNOWN
        unknown = False
        marker = "\x00"

        def sub(m: re.Match[str]) -> str:
            nonlocal unknown
            name = m.group(1).strip()
            if name in variables:
                v = variables[name]
            elif "." in name:
                logical, _attr = name.split(".", 1)
                addr = self.address(logical)
                if addr is not None:
                    self.refs.add(addr)
                v = UNKNOWN
            else:
                v = self.ref(name)
            if is_unknown(v) or v is _NOVALUE or isinstance(v, (dict, list)):
                unknown = True
                return marker
            return str(v)

        text = _SUB_VAR.sub(sub, arg.replace(marker, "")).replace("${!", "${")
        if not unknown:
            return text
        known = tuple(f for f in text.split(marker) if f)
        return Partial(known) if known else UNKNOWN


def cloudformation_resources(path: str, doc: dict[str, Any]) -> list[Resource]:
    t = _Template(doc)
    out: list[Resource] = []
    key_lines = t.resources.key_lines if isinstance(t.resources, LineDict) else {}
    for logical, spec in t.resources.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("Type"), str):
            continue
        cond = spec.get("Condition")
        if isinstance(cond, str) and t.condition(cond) is False:
            continue
        t.refs = set()
        props = t.resolve(spec.get("Properties", {}))
        if not isinstance(props, dict):
            props = {}
        attrs = dict(props)
        for extra in ("DeletionPolicy", "UpdateReplacePolicy", "Metadata", "DependsOn"):
            if extra in spec:
                attrs[f"__{extra}"] = t.resolve(spec[extra])
        start = key_lines.get(str(logical), getattr(spec, "start_line", 1))
        end = getattr(spec, "end_line", start)
        address = f"{spec['Type']}.{logical}"
        out.append(
            Resource(
                platform="cloudformation",
                type=spec["Type"],
                name=str(logical),
                address=address,
                attributes=attrs,
                path=path,
                start_line=start,
                end_line=max(end, start),
                block_address=address,
                references=frozenset(r for r in t.refs if r != address),
                meta={"metadata": spec.get("Metadata")},
            )
        )
    return out
