"""NuGet packages.lock.json (version 1 and 2): per target framework, ``name -> {type, resolved,
dependencies}`` where ``type`` is Direct, Transitive, CentralTransitive or Project (skipped).
"""

from __future__ import annotations

from garrison.scan.analyzers.deps.parsers.base import (
    Manifest,
    Package,
    ParseError,
    Reader,
    expect_dict,
    load_json,
    shortest_paths,
    text_field,
)

ECOSYSTEM = "NuGet"


def parse(text: str, path: str, read: Reader) -> Manifest:
    data = expect_dict(load_json(text, path), path, "(document)")
    version = data.get("version")
    if version not in (1, 2):
        raise ParseError(f"unsupported version {version!r} (expected 1 or 2)", path=path, field="version")
    frameworks = expect_dict(data.get("dependencies", {}), path, "dependencies")
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format="packages.lock.json")
    found: dict[str, tuple[str, str, bool]] = {}
    edges: dict[str, list[str]] = {}
    roots: set[str] = set()
    for fw, deps in frameworks.items():
        for name, raw in expect_dict(deps, path, f"dependencies.{fw}").items():
            info = expect_dict(raw, path, f"dependencies.{fw}.{name}")
            kind = text_field(info, "type", path, f"dependencies.{fw}.{name}")
            resolved = text_field(info, "resolved", path, f"dependencies.{fw}.{name}")
            sub = info.get("dependencies")
            if isinstance(sub, dict):
                edges.setdefault(name.lower(), []).extend(k.lower() for k in sub)
            if kind == "Project":
                roots.add(name.lower())  # a referenced project of the solution: its packages hang below it
                continue
            if not resolved:
                continue
            if kind == "Direct":
                roots.add(name.lower())
            found.setdefault(f"{name.lower()}@{resolved}", (name, resolved, kind == "Direct"))
    paths = shortest_paths(roots, edges)
    for name, resolved, direct in found.values():
        key = name.lower()
        manifest.packages.append(
            Package(
                ECOSYSTEM,
                name,
                resolved,
                direct=direct or key in roots,
                dependency_path=paths.get(key, (name,)),
                locator=f'"{name}": {{',
            )
        )
    return manifest
