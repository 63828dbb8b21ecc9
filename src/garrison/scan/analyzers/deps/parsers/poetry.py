"""poetry.lock (lock-version 1.x and 2.x): ``[[package]]`` tables with ``[package.dependencies]``; direct
dependencies come from the ``pyproject.toml`` beside it (else: packages nothing depends on).

Poetry 2 (lock-version 2.1) records per package the ``markers`` under which it is installed: one string, or a
table by dependency group. Poetry 1 files have markers only on dependency edges; those are not combined,
so their packages carry no marker.
"""

from __future__ import annotations

from typing import Any

from garrison.scan.analyzers.deps.parsers.base import (
    Manifest,
    Package,
    ParseError,
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
from garrison.scan.analyzers.deps.parsers.pyproject import direct_dependencies, norm

ECOSYSTEM = "PyPI"


def _marker(pkg: dict[str, Any]) -> str:
    """``markers = "…"``, or ``markers = {main = "…", dev = "…"}``: conditional only when every group the
    package belongs to has a marker (a group without one installs it always)."""
    value = pkg.get("markers")
    if not isinstance(value, dict):
        return marker_text(value)
    groups = pkg.get("groups")
    names = [g for g in groups if isinstance(g, str)] if isinstance(groups, list) and groups else list(value)
    if not names or any(g not in value for g in names):
        return ""
    return any_marker(marker_text(value[g]) for g in names)


def parse(text: str, path: str, read: Reader) -> Manifest:
    data = load_toml(text, path)
    packages = expect_list(data.get("package", []), path, "package")
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format="poetry.lock")
    entries: list[tuple[str, str, str, str]] = []
    edges: dict[str, list[str]] = {}
    for i, raw in enumerate(packages):
        pkg = expect_dict(raw, path, f"package[{i}]")
        name = text_field(pkg, "name", path, f"package[{i}]", required=True)
        version = text_field(pkg, "version", path, f"package[{i}]", required=True)
        deps = pkg.get("dependencies", {})
        if not isinstance(deps, dict):
            raise ParseError("expected a table", path=path, field=f"package[{i}].dependencies")
        edges[norm(name)] = [norm(d) for d in deps]
        groups = pkg.get("groups")
        category = pkg.get("category", "")
        scope = ""
        if (isinstance(groups, list) and groups and "main" not in groups) or category == "dev":
            scope = "dev"
        if pkg.get("optional") is True:
            scope = scope or "optional"
        source = pkg.get("source")
        if isinstance(source, dict) and source.get("type") in ("directory", "file", "git", "url"):
            manifest.notes.append(f"{name}: from a {source.get('type')} source; not matched against PyPI advisories")
            continue
        entries.append((name, version, scope, _marker(pkg)))
    direct = direct_dependencies(path, read)
    nodes = [norm(n) for n, _, _, _ in entries]
    roots = direct if direct is not None else roots_without_parents(nodes, edges)
    paths = shortest_paths(roots & set(nodes), edges)
    for name, version, scope, marker in entries:
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
                marker=marker,
            )
        )
    return manifest
