"""Terraform configurations → resources.

Files are grouped by directory into modules. Every directory that no other scanned directory calls as a local
module (``source = "./…"``) is a root; roots get their variables from ``terraform.tfvars``/``*.auto.tfvars``
(and ``.json``) over defaults, child modules from their callers' arguments. Resources and data sources are
expanded over ``count``/``for_each`` when those are static (one instance with unknown keys otherwise), and
``dynamic`` blocks are expanded the same way. Expansion, module depth and evaluation work are bounded.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from garrison.scan.analyzers.iac.model import UNKNOWN, Resource, is_unknown
from garrison.scan.analyzers.iac.parsers.hcl import Block, Body, Expr, HclError, parse_hcl
from garrison.scan.analyzers.iac.parsers.tfeval import Budget, EvalError, Scope, evaluate
from garrison.scan.analyzers.iac.parsers.tfjson import is_tf_json, parse_tf_json

MAX_INSTANCES = 1000
MAX_MODULE_DEPTH = 16
MAX_RESOURCES = 200_000

ErrorSink = Callable[[str, str], None]

_META_ARGS = frozenset({"count", "for_each", "depends_on", "provider", "providers", "lifecycle"})


@dataclass(slots=True)
class _Decl:
    kind: str  # resource | data
    type: str
    name: str
    block: Block
    path: str


@dataclass(slots=True)
class ModuleDir:
    dir: str
    variables: dict[str, Expr | None] = field(default_factory=dict)
    locals: dict[str, Expr] = field(default_factory=dict)
    decls: list[_Decl] = field(default_factory=list)
    calls: list[tuple[Block, str]] = field(default_factory=list)
    tfvars: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class TerraformStats:
    modules_evaluated: int = 0
    remote_modules: int = 0
    truncated_expansions: int = 0


def is_tfvars(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith((".auto.tfvars", ".auto.tfvars.json"))


def _dir(path: str) -> str:
    d = posixpath.dirname(path)
    return d or "."


def load_modules(sources: Iterable[tuple[str, str]], errors: ErrorSink) -> dict[str, ModuleDir]:
    """Parse ``(path, text)`` pairs of ``.tf`` and tfvars files into per-directory modules."""
    modules: dict[str, ModuleDir] = {}
    tfvars_files: list[tuple[str, str]] = []
    for path, text in sources:
        if is_tfvars(path):
            tfvars_files.append((path, text))
            continue
        try:
            body = parse_tf_json(text) if is_tf_json(path) else parse_hcl(text)
        except HclError as exc:
            errors(path, str(exc))
            continue
        mod = modules.setdefault(_dir(path), ModuleDir(_dir(path)))
        _collect(mod, body, path)
    for path, text in sorted(tfvars_files):
        target = modules.get(_dir(path))
        if target is None:
            continue
        mod = target
        try:
            mod.tfvars.update(_read_tfvars(path, text))
        except (HclError, ValueError, EvalError) as exc:
            errors(path, f"invalid tfvars: {exc}")
    return modules


def _collect(mod: ModuleDir, body: Body, path: str) -> None:
    for block in body.blocks:
        if block.type == "variable" and block.labels:
            default = block.body.attributes.get("default")
            mod.variables[block.labels[0]] = default.expr if default else None
        elif block.type == "locals":
            for name, attr in block.body.attributes.items():
                mod.locals[name] = attr.expr
        elif block.type in ("resource", "data") and len(block.labels) >= 2:
            mod.decls.append(_Decl(block.type, block.labels[0], block.labels[1], block, path))
        elif block.type == "provider" and block.labels:
            mod.decls.append(_Decl("provider", block.labels[0], "default", block, path))
        elif block.type == "module" and block.labels:
            mod.calls.append((block, path))


def _empty_scope(budget: Budget, module_path: str = ".") -> Scope:
    return Scope(variables={}, locals_={}, module_path=module_path, module_prefix="", budget=budget)


def _read_tfvars(path: str, text: str) -> dict[str, Any]:
    if path.endswith(".json"):
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return data
    body = parse_hcl(text)
    scope = _empty_scope(Budget(100_000))
    return {name: evaluate(attr.expr, scope) for name, attr in body.attributes.items()}


def _local_source(call: Block) -> str | None:
    attr = call.body.attributes.get("source")
    if attr is None:
        return None
    value = evaluate(attr.expr, _empty_scope(Budget(10_000)))
    if isinstance(value, str) and value.startswith(("./", "../")):
        return value
    return None


def module_targets(modules: dict[str, ModuleDir]) -> dict[tuple[str, int], str]:
    """(caller dir, call index) → called directory, for local sources that were scanned."""
    out: dict[tuple[str, int], str] = {}
    for d, mod in modules.items():
        for i, (call, _) in enumerate(mod.calls):
            src = _local_source(call)
            if src is None:
                continue
            target = posixpath.normpath(posixpath.join(d, src)) if d != "." else posixpath.normpath(src)
            if target in modules and target != d:
                out[(d, i)] = target
    return out


class TerraformEvaluator:
    def __init__(self, modules: dict[str, ModuleDir], errors: ErrorSink, budget: Budget | None = None) -> None:
        self.modules = modules
        self.errors = errors
        self.targets = module_targets(modules)
        self.budget = budget or Budget()
        self.stats = TerraformStats()
        self.resources: list[Resource] = []
        self.undecidable = 0
        self._root = "."

    def roots(self) -> list[str]:
        called = set(self.targets.values())
        return sorted(d for d in self.modules if d not in called)

    def run(self) -> list[Resource]:
        for root in self.roots():
            self._root = root
            try:
                self._module(root, None, "", 0, (root,))
            except EvalError as exc:
                self.errors(root, str(exc))
        return self.resources

    # -- one module instance --
    def _module(self, d: str, inputs: dict[str, Any] | None, prefix: str, depth: int, stack: tuple[str, ...]) -> None:
        mod = self.modules[d]
        self.stats.modules_evaluated += 1
        variables: dict[str, Any] = {}
        for name, default in mod.variables.items():
            if inputs is not None and name in inputs:
                variables[name] = inputs[name]
            elif inputs is None and name in mod.tfvars:
                variables[name] = mod.tfvars[name]
            elif default is not None:
                variables[name] = evaluate(default, _empty_scope(self.budget, d))
            else:
                variables[name] = UNKNOWN
        scope = Scope(variables=variables, locals_=mod.locals, module_path=d, module_prefix=prefix, budget=self.budget)
        for decl in mod.decls:
            self._declaration(decl, scope, prefix)
        for i, (call, path) in enumerate(mod.calls):
            target = self.targets.get((d, i))
            if target is None:
                self.stats.remote_modules += 1
                continue
            if target in stack or depth + 1 > MAX_MODULE_DEPTH:
                self.errors(path, f"module {call.labels[0]!r}: module nesting too deep or cyclic")
                continue
            self._call(call, path, target, scope, prefix, depth, stack)

    def _call(
        self, call: Block, path: str, target: str, scope: Scope, prefix: str, depth: int, stack: tuple[str, ...]
    ) -> None:
        name = call.labels[0]
        for key, frame in self._instances(call.body, scope, path, f"module.{name}"):
            with scope.with_frame(frame):
                inputs = {
                    k: evaluate(a.expr, scope)
                    for k, a in call.body.attributes.items()
                    if k not in _META_ARGS and k != "source" and k != "version"
                }
            self._module(target, inputs, f"{prefix}module.{name}{key}.", depth + 1, (*stack, target))

    def _instances(self, body: Body, scope: Scope, path: str, what: str) -> list[tuple[str, dict[str, Any]]]:
        count = body.attributes.get("count")
        for_each = body.attributes.get("for_each")
        if count is not None:
            n = evaluate(count.expr, scope)
            if isinstance(n, bool) or not isinstance(n, (int, float)):
                self.undecidable += 1
                return [("", {"count": {"index": UNKNOWN}})]
            n = int(n)
            if n > MAX_INSTANCES:
                self.errors(path, f"{what}: count {n} exceeds the expansion limit {MAX_INSTANCES}; truncated")
                self.stats.truncated_expansions += 1
                n = MAX_INSTANCES
            return [(f"[{i}]", {"count": {"index": i}}) for i in range(max(n, 0))]
        if for_each is not None:
            coll = evaluate(for_each.expr, scope)
            if isinstance(coll, dict):
                items = list(coll.items())
            elif isinstance(coll, list) and not any(is_unknown(x) or isinstance(x, (list, dict)) for x in coll):
                items = [(str(x), x) for x in coll]
            else:
                self.undecidable += 1
                return [("", {"each": {"key": UNKNOWN, "value": UNKNOWN}})]
            if len(items) > MAX_INSTANCES:
                self.errors(path, f"{what}: for_each over {len(items)} items exceeds the limit; truncated")
                self.stats.truncated_expansions += 1
                items = items[:MAX_INSTANCES]
            return [(f"[{json.dumps(str(k))}]", {"each": {"key": str(k), "value": v}}) for k, v in items]
        return [("", {})]

    def _declaration(self, decl: _Decl, scope: Scope, prefix: str) -> None:
        base = {
            "resource": f"{decl.type}.{decl.name}",
            "data": f"data.{decl.type}.{decl.name}",
            "provider": f"provider.{decl.type}",
        }[decl.kind]
        if decl.kind == "provider":
            alias = decl.block.body.attributes.get("alias")
            alias_value = evaluate(alias.expr, scope) if alias is not None else None
            if isinstance(alias_value, str):
                base += f".{alias_value}"
        for key, frame in self._instances(decl.block.body, scope, decl.path, base):
            if len(self.resources) >= MAX_RESOURCES:
                raise EvalError(f"more than {MAX_RESOURCES} resources")
            scope.refs = set()
            with scope.with_frame(frame):
                attrs = self.body(decl.block.body, scope, decl.path)
            refs = frozenset(r for r in scope.refs if r != prefix + base)
            self.resources.append(
                Resource(
                    platform="terraform",
                    type=decl.type if decl.kind == "resource" else f"{decl.kind}.{decl.type}",
                    name=decl.name,
                    address=f"{prefix}{base}{key}",
                    attributes=attrs,
                    path=decl.path,
                    start_line=decl.block.line,
                    end_line=decl.block.end_line,
                    block_address=f"{prefix}{base}",
                    references=refs,
                    meta={"module": prefix.rstrip("."), "root": self._root},
                )
            )

    def body(self, body: Body, scope: Scope, path: str, depth: int = 0) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, attr in body.attributes.items():
            if name in _META_ARGS:
                continue
            out[name] = evaluate(attr.expr, scope)
        for block in body.blocks:
            if block.type == "dynamic" and block.labels:
                out.setdefault(block.labels[0], []).extend(self._dynamic(block, scope, path, depth))
            elif block.type != "lifecycle":
                out.setdefault(block.type, []).append(self.body(block.body, scope, path, depth + 1))
        return out

    def _dynamic(self, block: Block, scope: Scope, path: str, depth: int) -> list[dict[str, Any]]:
        label = block.labels[0]
        it_attr = block.body.attributes.get("iterator")
        iterator = label
        if it_attr is not None:
            it = evaluate(it_attr.expr, scope)
            if isinstance(it, str):
                iterator = it
            elif hasattr(it_attr.expr, "name"):
                iterator = str(it_attr.expr.name)
        content = next((b for b in block.body.blocks if b.type == "content"), None)
        if content is None:
            return []
        fe = block.body.attributes.get("for_each")
        coll = evaluate(fe.expr, scope) if fe is not None else UNKNOWN
        if isinstance(coll, dict):
            pairs: list[tuple[Any, Any]] = list(coll.items())
        elif isinstance(coll, list):
            pairs = list(enumerate(coll))
        else:
            self.undecidable += 1
            pairs = [(UNKNOWN, UNKNOWN)]
        if len(pairs) > MAX_INSTANCES:
            self.errors(path, f"dynamic {label!r}: more than {MAX_INSTANCES} blocks; truncated")
            pairs = pairs[:MAX_INSTANCES]
        out = []
        for k, v in pairs:
            with scope.with_frame({iterator: {"key": k, "value": v}}):
                out.append(self.body(content.body, scope, path, depth + 1))
        return out


def terraform_resources(sources: Iterable[tuple[str, str]], errors: ErrorSink) -> tuple[list[Resource], int]:
    """Parse and evaluate; returns the resources and the number of undecidable expansions."""
    modules = load_modules(sources, errors)
    ev = TerraformEvaluator(modules, errors)
    resources = ev.run()
    return resources, ev.undecidable
