"""uv.lock: ``[[package]]`` with ``source``, ``dependencies = [{ name = … }]`` and optional/dev groups.
The project itself (``source = { editable | virtual = "." }``) is the root: its dependencies are direct.

Environment markers live on the dependency edges (``{ name = "colorama", marker = "sys_platform == 'win32'" }``)
and, for a version chosen only in some forks of the resolution, in ``resolution-markers``. A package is
conditional only if every path from the root to it crosses a marked edge; its marker is the disjunction over
those paths of the conjunction of their edge markers (and of its resolution markers).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from garrison.scan.analyzers.deps.parsers.base import (
    MAX_NODES,
    Manifest,
    Package,
    Reader,
    any_marker,
    expect_dict,
    expect_list,
    load_toml,
    marker_text,
    roots_without_parents,
    shortest_paths,
    text_field,
)
from garrison.scan.analyzers.deps.parsers.pyproject import norm

ECOSYSTEM = "PyPI"
_LOCAL = ("editable", "virtual", "directory", "path")
#: more alternative paths than this to one package: treated as unconditional (kept everywhere)
MAX_DISJUNCTS = 16

Edges = dict[str, list[tuple[str, str]]]  # parent -> [(child, normalised edge marker or "")]
Condition = set[frozenset[str]] | None  # None: reached unconditionally; else OR of ANDs of edge markers


def _dep_names(value: Any) -> list[str]:
    return [child for child, _ in _deps(value)]


def _deps(value: Any) -> list[tuple[str, str]]:
    out = []
    if isinstance(value, list):
        for d in value:
            if isinstance(d, dict) and isinstance(d.get("name"), str):
                out.append((norm(d["name"]), marker_text(d.get("marker"))))
    return out


def _merge(old: Condition, new: Condition) -> Condition:
    if old is None or new is None:
        return None
    out = set(old)
    for d in new:
        if any(e <= d for e in out):
            continue
        out = {e for e in out if not d <= e} | {d}
    return None if len(out) > MAX_DISJUNCTS else out


def _conditions(roots: set[str], edges: Edges) -> dict[str, str]:
    """node -> the marker under which a path from the roots reaches it ("" = always, or unknown)."""
    cond: dict[str, Condition] = {r: None for r in roots}
    queue: deque[str] = deque(sorted(roots))
    steps = 0
    while queue:
        steps += 1
        if steps > MAX_NODES:
            return {}  # unfinished conditions could be too narrow: record none rather than guess
        node = queue.popleft()
        here = cond[node]
        for child, marker in edges.get(node, ()):
            step: Condition = {frozenset((marker,))} if marker else None
            if here is not None:
                step = {d | {marker} for d in here} if marker else set(here)
            if child in cond:
                merged = _merge(cond[child], step)
                if merged == cond[child]:
                    continue
            else:
                merged = step
            cond[child] = merged
            queue.append(child)
    out: dict[str, str] = {}
    for node, c in cond.items():
        if c is not None:
            out[node] = any_marker(" and ".join(f"({m})" for m in sorted(d)) for d in sorted(c, key=sorted))
    return out


def parse(text: str, path: str, read: Reader) -> Manifest:
    data = load_toml(text, path)
    packages = expect_list(data.get("package", []), path, "package")
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format="uv.lock")
    edges: dict[str, list[str]] = {}
    dev_edges: dict[str, list[str]] = {}
    marked: Edges = {}
    roots: set[str] = set()
    dev_roots: set[str] = set()
    local: set[str] = set()
    entries: list[tuple[str, str, str]] = []
    for i, raw in enumerate(packages):
        pkg = expect_dict(raw, path, f"package[{i}]")
        name = text_field(pkg, "name", path, f"package[{i}]", required=True)
        version = text_field(pkg, "version", path, f"package[{i}]")
        key = norm(name)
        deps = _dep_names(pkg.get("dependencies"))
        marked.setdefault(key, []).extend(_deps(pkg.get("dependencies")))
        for group in ("optional-dependencies", "dev-dependencies"):
            extra = pkg.get(group)
            if isinstance(extra, dict):
                for specs in extra.values():
                    (dev_edges if group == "dev-dependencies" else edges).setdefault(key, []).extend(_dep_names(specs))
                    marked[key].extend(_deps(specs))
        edges.setdefault(key, []).extend(deps)
        source = pkg.get("source")
        if isinstance(source, dict) and any(k in source for k in _LOCAL):
            roots.update(edges.get(key, ()))
            dev_roots.update(dev_edges.get(key, ()))
            local.add(key)
            continue
        forks = pkg.get("resolution-markers")
        fork = any_marker(marker_text(m) for m in forks) if isinstance(forks, list) else ""
        entries.append((name, version, fork))
    nodes = [norm(n) for n, _, _ in entries]
    if not roots and not dev_roots:
        roots = roots_without_parents(nodes, edges)
    paths = shortest_paths(roots, edges)
    dev_paths = shortest_paths(dev_roots, {**dev_edges, **edges})
    conditions = _conditions(local or roots, marked)
    for name, version, fork in entries:
        key = norm(name)
        dep_path = paths.get(key) or dev_paths.get(key) or (key,)
        reach = conditions.get(key, "")
        manifest.packages.append(
            Package(
                ECOSYSTEM,
                name,
                version,
                direct=key in roots or key in dev_roots,
                dependency_path=dep_path,
                scope="dev" if key not in paths and key in dev_paths else "",
                locator=f'name = "{name}"',
                marker=marker_text(f"({reach}) and ({fork})") if reach and fork else reach or fork,
            )
        )
    return manifest
