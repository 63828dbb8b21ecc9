"""package-lock.json / npm-shrinkwrap.json, lockfileVersion 1, 2 and 3.

v2/v3: the flat ``packages`` map keyed by install path (``node_modules/a/node_modules/b``); each
dependency is resolved the way Node does (nearest ``node_modules`` going up), which gives the real graph,
direct dependencies (the root entry ``""``) and the shortest path to every package. v1: the nested
``dependencies`` tree with ``requires``. Workspace links and entries without a version are skipped.
"""

from __future__ import annotations

from typing import Any

from garrison.scan.analyzers.deps.parsers.base import (
    Manifest,
    Package,
    ParseError,
    Reader,
    expect_dict,
    load_json,
    roots_without_parents,
    shortest_paths,
    text_field,
)
from garrison.scan.analyzers.deps.parsers.packagejson import direct_dependencies

ECOSYSTEM = "npm"
_DEP_KEYS = ("dependencies", "optionalDependencies", "peerDependencies", "devDependencies")
NM = "node_modules/"


def _name_from_path(key: str) -> str:
    return key.rsplit(NM, 1)[-1]


def _resolve(from_key: str, dep: str, known: dict[str, Any]) -> str | None:
    """Node's lookup: ``<from>/node_modules/<dep>``, then each ancestor's, then the root's."""
    base = from_key
    while True:
        candidate = f"{base}/{NM}{dep}" if base else f"{NM}{dep}"
        if candidate in known:
            return candidate
        if not base:
            return None
        cut = base.rfind("/" + NM)
        base = base[:cut] if cut >= 0 else ""


def _parse_v2(data: dict[str, Any], path: str, manifest: Manifest) -> None:
    packages = expect_dict(data.get("packages"), path, "packages")
    entries: dict[str, dict[str, Any]] = {}
    for key, raw in packages.items():
        entries[key] = expect_dict(raw, path, f"packages[{key!r}]")
    edges: dict[str, list[str]] = {}
    for key, info in entries.items():
        targets: list[str] = []
        for section in _DEP_KEYS:
            if key != "" and section == "devDependencies":
                continue
            deps = info.get(section)
            if isinstance(deps, dict):
                for dep in deps:
                    found = _resolve(key, dep, entries) if isinstance(dep, str) else None
                    if found is not None:
                        targets.append(found)
        edges[key] = targets
    root_paths = shortest_paths([""], edges) if "" in entries else {}
    for key, info in entries.items():
        if key == "" or NM not in key or info.get("link") is True:
            continue
        version = text_field(info, "version", path, f"packages[{key!r}]")
        if not version:
            continue
        name = text_field(info, "name", path, f"packages[{key!r}]") or _name_from_path(key)
        chain = root_paths.get(key)
        dep_path = tuple(_name_from_path(k) for k in chain[1:]) if chain else (name,)
        scope = "dev" if info.get("dev") is True else ("optional" if info.get("optional") is True else "")
        if info.get("devOptional") is True:
            scope = "dev"
        manifest.packages.append(
            Package(
                ECOSYSTEM,
                name,
                version,
                direct=chain is not None and len(chain) == 2,
                dependency_path=dep_path,
                scope=scope,
                locator=f'"{key}": {{',
            )
        )


def _parse_v1(data: dict[str, Any], path: str, manifest: Manifest, read: Reader) -> None:
    nodes: dict[str, tuple[str, str, str]] = {}  # id -> (name, version, scope)
    edges: dict[str, list[str]] = {}

    def walk(deps: Any, prefix: str, scopes: dict[str, dict[str, Any]], depth: int) -> None:
        if depth > 64:
            raise ParseError("dependencies nested too deeply", path=path, field="dependencies")
        if not isinstance(deps, dict):
            raise ParseError("expected an object", path=path, field=f"{prefix or ''}dependencies")
        level = {n: expect_dict(v, path, f"{prefix}dependencies.{n}") for n, v in deps.items()}
        visible = {**scopes, **{n: {"id": f"{prefix}{n}"} for n in level}}
        for name, info in level.items():
            node = f"{prefix}{name}"
            version = text_field(info, "version", path, f"{node}.version")
            scope = "dev" if info.get("dev") is True else ("optional" if info.get("optional") is True else "")
            if version and not version.startswith(("file:", "link:", "git", "http")):
                nodes[node] = (name, version, scope)
            inner = info.get("dependencies")
            inner_names = set(inner) if isinstance(inner, dict) else set()
            targets = []
            req = info.get("requires")
            if isinstance(req, dict):
                for dep in req:
                    if dep in inner_names:
                        targets.append(f"{node}/{dep}")
                    elif dep in visible:
                        targets.append(visible[dep]["id"])
            edges[node] = targets
            if inner is not None:
                walk(inner, f"{node}/", {**visible, **{n: {"id": f"{node}/{n}"} for n in inner_names}}, depth + 1)

    walk(data.get("dependencies", {}), "", {}, 0)
    direct = direct_dependencies(manifest.path, read)
    top = {n for n in nodes if "/" not in n or (n.startswith("@") and n.count("/") == 1)}
    roots = {n for n in top if n in direct} if direct is not None else roots_without_parents(top, edges)
    paths = shortest_paths(roots, edges)
    for node, (name, version, scope) in nodes.items():
        chain = paths.get(node)
        manifest.packages.append(
            Package(
                ECOSYSTEM,
                name,
                version,
                direct=node in roots,
                dependency_path=tuple(nodes[c][0] if c in nodes else c for c in chain) if chain else (name,),
                scope=scope,
                locator=f'"{name}": {{',
            )
        )


def parse(text: str, path: str, read: Reader) -> Manifest:
    data = expect_dict(load_json(text, path), path, "(document)")
    version = data.get("lockfileVersion", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version not in (1, 2, 3):
        raise ParseError(
            f"unsupported lockfileVersion {version!r} (expected 1, 2 or 3)", path=path, field="lockfileVersion"
        )
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format=f"package-lock.json v{version}")
    if version >= 2 and "packages" in data:
        _parse_v2(data, path, manifest)
    else:
        _parse_v1(data, path, manifest, read)
    return manifest
