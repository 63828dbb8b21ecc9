"""pdm.lock: ``[[package]]`` with ``dependencies = ["jinja2>=3.0", …]`` requirement strings and ``groups``;
direct dependencies from the ``pyproject.toml`` beside it.
"""

from __future__ import annotations

import re

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
from garrison.scan.analyzers.deps.parsers.pyproject import direct_dependencies, norm

ECOSYSTEM = "PyPI"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def parse(text: str, path: str, read: Reader) -> Manifest:
    data = load_toml(text, path)
    packages = expect_list(data.get("package", []), path, "package")
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format="pdm.lock")
    edges: dict[str, list[str]] = {}
    entries: list[tuple[str, str, str]] = []
    for i, raw in enumerate(packages):
        pkg = expect_dict(raw, path, f"package[{i}]")
        name = text_field(pkg, "name", path, f"package[{i}]", required=True)
        version = text_field(pkg, "version", path, f"package[{i}]")
        deps = pkg.get("dependencies", [])
        for d in deps if isinstance(deps, list) else []:
            m = _NAME.match(d) if isinstance(d, str) else None
            if m:
                edges.setdefault(norm(name), []).append(norm(m.group(1)))
        groups = pkg.get("groups")
        scope = "dev" if isinstance(groups, list) and groups and "default" not in groups else ""
        entries.append((name, version, scope))
    direct = direct_dependencies(path, read)
    nodes = [norm(n) for n, _, _ in entries]
    roots = direct if direct is not None else roots_without_parents(nodes, edges)
    paths = shortest_paths(roots & set(nodes), edges)
    for name, version, scope in entries:
        key = norm(name)
        manifest.packages.append(
            Package(
                ECOSYSTEM,
                name,
                version,
                direct=key in roots,
                dependency_path=paths.get(key, (key,)),
                scope=scope,
                locator=f'name = "{name}"',
            )
        )
    return manifest
