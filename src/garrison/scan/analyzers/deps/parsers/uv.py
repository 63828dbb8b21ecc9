"""uv.lock: ``[[package]]`` with ``source``, ``dependencies = [{ name = … }]`` and optional/dev groups.
The project itself (``source = { editable | virtual = "." }``) is the root: its dependencies are direct.
"""

from __future__ import annotations

from typing import Any

from garrison.scan.analyzers.deps.parsers.base import (
    Manifest,
    Package,
    Reader,
    expect_dict,
    expect_list,
    load_toml,
    roots_without_parents,
    shortest_paths,
    text_field,
)
from garrison.scan.analyzers.deps.parsers.pyproject import norm

ECOSYSTEM = "PyPI"
_LOCAL = ("editable", "virtual", "directory", "path")


def _dep_names(value: Any) -> list[str]:
    out = []
    if isinstance(value, list):
        for d in value:
            if isinstance(d, dict) and isinstance(d.get("name"), str):
                out.append(norm(d["name"]))
    return out


def parse(text: str, path: str, read: Reader) -> Manifest:
    data = load_toml(text, path)
    packages = expect_list(data.get("package", []), path, "package")
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format="uv.lock")
    edges: dict[str, list[str]] = {}
    dev_edges: dict[str, list[str]] = {}
    roots: set[str] = set()
    dev_roots: set[str] = set()
    entries: list[tuple[str, str]] = []
    for i, raw in enumerate(packages):
        pkg = expect_dict(raw, path, f"package[{i}]")
        name = text_field(pkg, "name", path, f"package[{i}]", required=True)
        version = text_field(pkg, "version", path, f"package[{i}]")
        key = norm(name)
        deps = _dep_names(pkg.get("dependencies"))
        for group in ("optional-dependencies", "dev-dependencies"):
            extra = pkg.get(group)
            if isinstance(extra, dict):
                for specs in extra.values():
                    (dev_edges if group == "dev-dependencies" else edges).setdefault(key, []).extend(_dep_names(specs))
        edges.setdefault(key, []).extend(deps)
        source = pkg.get("source")
        if isinstance(source, dict) and any(k in source for k in _LOCAL):
            roots.update(edges.get(key, ()))
            dev_roots.update(dev_edges.get(key, ()))
            continue
        entries.append((name, version))
    nodes = [norm(n) for n, _ in entries]
    if not roots and not dev_roots:
        roots = roots_without_parents(nodes, edges)
    paths = shortest_paths(roots, edges)
    dev_paths = shortest_paths(dev_roots, {**dev_edges, **edges})
    for name, version in entries:
        key = norm(name)
        dep_path = paths.get(key) or dev_paths.get(key) or (key,)
        manifest.packages.append(
            Package(
                ECOSYSTEM,
                name,
                version,
                direct=key in roots or key in dev_roots,
                dependency_path=dep_path,
                scope="dev" if key not in paths and key in dev_paths else "",
                locator=f'name = "{name}"',
            )
        )
    return manifest
