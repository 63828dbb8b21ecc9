"""composer.lock: ``packages`` and ``packages-dev`` with ``require`` maps; direct dependencies from the
``composer.json`` beside it (else: packages nothing requires). Branch versions (``dev-main``) are kept but
can only match an advisory's explicit version list.
"""

from __future__ import annotations

import json

from garrison.scan.analyzers.deps.parsers.base import (
    Manifest,
    Package,
    Reader,
    expect_dict,
    expect_list,
    load_json,
    roots_without_parents,
    shortest_paths,
    sibling,
    text_field,
)

ECOSYSTEM = "Packagist"


def _direct(path: str, read: Reader) -> set[str] | None:
    text = read(sibling(path, "composer.json"))
    if text is None:
        return None
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    out: set[str] = set()
    if isinstance(data, dict):
        for key in ("require", "require-dev"):
            if isinstance(data.get(key), dict):
                out |= {n.lower() for n in data[key]}
    return out


def parse(text: str, path: str, read: Reader) -> Manifest:
    data = expect_dict(load_json(text, path), path, "(document)")
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format="composer.lock")
    entries: list[tuple[str, str, str]] = []
    edges: dict[str, list[str]] = {}
    for section, scope in (("packages", ""), ("packages-dev", "dev")):
        for i, raw in enumerate(expect_list(data.get(section, []), path, section)):
            pkg = expect_dict(raw, path, f"{section}[{i}]")
            name = text_field(pkg, "name", path, f"{section}[{i}]", required=True)
            version = text_field(pkg, "version", path, f"{section}[{i}]", required=True)
            req = pkg.get("require")
            if isinstance(req, dict):
                edges[name.lower()] = [r.lower() for r in req if "/" in r]
            if version[:1] in ("v", "V") and version[1:2].isdigit():
                version = version[1:]
            entries.append((name, version, scope))
    direct = _direct(path, read)
    nodes = [n.lower() for n, _, _ in entries]
    roots = direct if direct is not None else roots_without_parents(nodes, edges)
    paths = shortest_paths(roots & set(nodes), edges)
    for name, version, scope in entries:
        key = name.lower()
        manifest.packages.append(
            Package(
                ECOSYSTEM,
                name,
                version,
                direct=key in roots,
                dependency_path=paths.get(key, (key,)),
                scope=scope,
                locator=f'"name": "{name}"',
            )
        )
    return manifest
