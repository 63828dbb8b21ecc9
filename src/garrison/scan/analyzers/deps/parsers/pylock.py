"""pylock.toml (PEP 751, ``lock-version = "1.0"``): ``[[packages]]`` with ``name``, ``version`` and
``dependencies = [{ name = … }]`` and an optional environment ``marker``. Packages without a version (VCS,
directories) are not matched.
"""

from __future__ import annotations

from garrison.scan.analyzers.deps.parsers.base import (
    Manifest,
    Package,
    ParseError,
    Reader,
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


def parse(text: str, path: str, read: Reader) -> Manifest:
    data = load_toml(text, path)
    lock_version = data.get("lock-version")
    if not isinstance(lock_version, str) or not lock_version.startswith("1"):
        raise ParseError(f"unsupported lock-version {lock_version!r} (expected 1.x)", path=path, field="lock-version")
    packages = expect_list(data.get("packages", []), path, "packages")
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format="pylock.toml")
    edges: dict[str, list[str]] = {}
    entries: list[tuple[str, str, str]] = []
    for i, raw in enumerate(packages):
        pkg = expect_dict(raw, path, f"packages[{i}]")
        name = text_field(pkg, "name", path, f"packages[{i}]", required=True)
        version = text_field(pkg, "version", path, f"packages[{i}]")
        deps = pkg.get("dependencies")
        if isinstance(deps, list):
            edges[norm(name)] = [
                norm(d["name"]) for d in deps if isinstance(d, dict) and isinstance(d.get("name"), str)
            ]
        if not version:
            manifest.notes.append(f"{name}: no version (VCS, directory or archive); not matched")
            continue
        entries.append((name, version, marker_text(pkg.get("marker"))))
    direct = direct_dependencies(path, read)
    nodes = [norm(n) for n, _, _ in entries]
    roots = direct if direct is not None else (roots_without_parents(nodes, edges) if edges else set(nodes))
    paths = shortest_paths(roots & set(nodes), edges)
    for name, version, marker in entries:
        key = norm(name)
        manifest.packages.append(
            Package(
                ECOSYSTEM,
                name,
                version,
                direct=key in roots if (direct is not None or edges) else None,
                dependency_path=paths.get(key, (key,)),
                locator=f'name = "{name}"',
                marker=marker,
            )
        )
    return manifest
