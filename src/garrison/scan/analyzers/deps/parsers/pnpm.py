"""pnpm-lock.yaml, lockfileVersion 5.x, 6.x and 9.x.

Package keys differ by version: ``/name/1.0.0`` (5), ``/name@1.0.0`` (6), ``name@1.0.0`` with the graph
in ``snapshots`` (9); peer-dependency suffixes (``(react@18.2.0)`` or ``_react@18.2.0``) are stripped.
Direct dependencies come from ``importers`` (workspaces) or the top-level ``dependencies`` sections.
"""

from __future__ import annotations

import re
from typing import Any

from garrison.scan.analyzers.deps.parsers.base import (
    Manifest,
    Package,
    ParseError,
    Reader,
    load_yaml,
    shortest_paths,
)

ECOSYSTEM = "npm"
_SECTIONS = {"dependencies": "", "optionalDependencies": "optional", "devDependencies": "dev"}
_PEER = re.compile(r"\(.*\)$")


def split_key(key: str, major: int) -> tuple[str, str] | None:
    k = key.strip()
    if k.startswith("/"):
        k = k[1:]
    k = _PEER.sub("", k)
    if major < 6:
        # name/version[_peer]; scoped: @scope/name/version
        head, _, version = k.rpartition("/")
        if not head:
            return None
        return head, version.split("_", 1)[0]
    at = k.rfind("@")
    if at <= 0:
        return None
    return k[:at], k[at + 1 :]


def _version_of(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("version")
    return _PEER.sub("", value).split("_", 1)[0] if isinstance(value, str) else ""


def parse(text: str, path: str, read: Reader) -> Manifest:
    data = load_yaml(text, path)
    if not isinstance(data, dict):
        raise ParseError("expected a mapping at the top level", path=path)
    raw_version = str(data.get("lockfileVersion", ""))
    try:
        major = int(float(raw_version.strip("'\"")))
    except ValueError:
        raise ParseError(f"unsupported lockfileVersion {raw_version!r}", path=path, field="lockfileVersion") from None
    if major not in (5, 6, 7, 8, 9):
        raise ParseError(f"unsupported lockfileVersion {raw_version!r}", path=path, field="lockfileVersion")
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format=f"pnpm-lock.yaml v{raw_version}")
    packages = data.get("packages") or {}
    snapshots = data.get("snapshots") or packages
    if not isinstance(packages, dict) or not isinstance(snapshots, dict):
        raise ParseError("expected a mapping", path=path, field="packages")

    def node_id(name: str, version: str) -> str:
        return f"{name}@{version}"

    edges: dict[str, list[str]] = {}
    for key, info in snapshots.items():
        parts = split_key(str(key), major)
        if parts is None or not isinstance(info, dict):
            continue
        targets = []
        for section in ("dependencies", "optionalDependencies"):
            deps = info.get(section)
            if isinstance(deps, dict):
                for dep, ver in deps.items():
                    v = _version_of(ver)
                    if v and not v.startswith(("link:", "file:")):
                        targets.append(node_id(str(dep), v) if "@" not in v[1:] else node_id(*_alias(v)))
        edges.setdefault(node_id(*parts), []).extend(targets)
    importers = data.get("importers")
    if not isinstance(importers, dict):
        importers = {".": data}
    roots: dict[str, str] = {}
    for imp in importers.values():
        if not isinstance(imp, dict):
            continue
        for section, scope in _SECTIONS.items():
            deps = imp.get(section)
            if isinstance(deps, dict):
                for dep, ver in deps.items():
                    v = _version_of(ver)
                    if v and not v.startswith(("link:", "file:")):
                        roots.setdefault(node_id(str(dep), v) if "@" not in v[1:] else node_id(*_alias(v)), scope)
    paths = shortest_paths(roots, edges)
    seen: set[str] = set()
    for key, info in packages.items():
        parts = split_key(str(key), major)
        if parts is None:
            manifest.notes.append(f"{key}: not a registry package key; skipped")
            continue
        name, version = parts
        node = node_id(name, version)
        if node in seen:
            continue
        seen.add(node)
        chain = paths.get(node)
        scope = "dev" if isinstance(info, dict) and info.get("dev") is True else roots.get(node, "")
        manifest.packages.append(
            Package(
                ECOSYSTEM,
                name,
                version,
                direct=node in roots,
                dependency_path=tuple(c.rsplit("@", 1)[0] for c in chain) if chain else (name,),
                scope=scope,
                locator=str(key),
            )
        )
    return manifest


def _alias(v: str) -> tuple[str, str]:
    """``/@scope/name@1.0.0`` or ``name@1.0.0`` given as a version (npm aliases) -> (name, version)."""
    k = v.lstrip("/")
    at = k.rfind("@")
    return k[:at], k[at + 1 :]
