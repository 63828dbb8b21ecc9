"""Cargo.lock (v1–v4): ``[[package]]`` with ``source`` and ``dependencies = ["name", "name version",
"name version (source)"]``. Packages without a ``source`` are the workspace's own crates: their
dependencies are the direct ones, and they are not matched themselves.
"""

from __future__ import annotations

from garrison.scan.analyzers.deps.parsers.base import (
    Manifest,
    Package,
    Reader,
    expect_dict,
    expect_list,
    load_toml,
    shortest_paths,
    text_field,
)

ECOSYSTEM = "crates.io"


def parse(text: str, path: str, read: Reader) -> Manifest:
    data = load_toml(text, path)
    packages = expect_list(data.get("package", []), path, "package")
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format="Cargo.lock")
    by_name: dict[str, list[str]] = {}
    entries: list[tuple[str, str, str, list[str], str]] = []
    for i, raw in enumerate(packages):
        pkg = expect_dict(raw, path, f"package[{i}]")
        name = text_field(pkg, "name", path, f"package[{i}]", required=True)
        version = text_field(pkg, "version", path, f"package[{i}]", required=True)
        source = text_field(pkg, "source", path, f"package[{i}]")
        deps = [d for d in pkg.get("dependencies", []) if isinstance(d, str)]
        node = f"{name} {version}"
        by_name.setdefault(name, []).append(node)
        entries.append((node, name, version, deps, source))
        if source and not source.startswith("registry+"):
            manifest.notes.append(f"{name} {version}: from {source.split('+', 1)[0]} source; not matched")
    edges: dict[str, list[str]] = {}
    roots: set[str] = set()
    for node, _, _, deps, _ in entries:
        targets = []
        for d in deps:
            parts = d.split(" ")
            if len(parts) >= 2:
                targets.append(f"{parts[0]} {parts[1]}")
            elif parts[0] in by_name:
                targets.append(by_name[parts[0]][0])  # unambiguous when the version is omitted
        edges[node] = targets
    for node, _, _, _, source in entries:
        if not source:  # a crate of this workspace
            roots.update(edges.get(node, ()))
    paths = shortest_paths(roots, edges)
    seen = set()
    for node, name, version, _, source in entries:
        if not source.startswith("registry+") or node in seen:
            continue
        seen.add(node)
        chain = paths.get(node)
        manifest.packages.append(
            Package(
                ECOSYSTEM,
                name,
                version,
                direct=node in roots if roots else None,
                dependency_path=tuple(c.split(" ")[0] for c in chain) if chain else (name,),
                locator=f'name = "{name}"\nversion = "{version}"',
            )
        )
    return manifest
