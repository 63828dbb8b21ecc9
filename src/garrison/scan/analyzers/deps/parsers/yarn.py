"""yarn.lock, classic (v1, its own indented format) and berry (v2+, YAML with ``__metadata``).

Each entry is keyed by the descriptors that resolved to it (``"lodash@^4.17.0, lodash@^4.17.15"``); its
``dependencies`` name descriptors again, which gives the graph. Berry records the workspace itself
(``name@workspace:.``) whose dependencies are the direct ones; for classic, the ``package.json`` beside it.
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
    roots_without_parents,
    shortest_paths,
)
from garrison.scan.analyzers.deps.parsers.packagejson import direct_dependencies

ECOSYSTEM = "npm"
_KV = re.compile(r'^("(?:[^"\\]|\\.)*"|[^\s"]+)\s+(.*)$')


def _unquote(s: str) -> str:
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] == '"':
        return s[1:-1].replace('\\"', '"')
    return s


def _descriptor_name(desc: str) -> str:
    """``@scope/pkg@^1.0`` -> ``@scope/pkg``; ``pkg@npm:^1`` -> ``pkg``."""
    at = desc.find("@", 1)
    return desc if at < 0 else desc[:at]


def _parse_classic(text: str, path: str) -> list[tuple[list[str], dict[str, Any], int]]:
    entries: list[tuple[list[str], dict[str, Any], int]] = []
    current: dict[str, Any] | None = None
    section: dict[str, str] | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        line = raw.strip()
        if indent == 0:
            if not line.endswith(":"):
                raise ParseError(f"line {lineno}: expected an entry header ending in ':'", path=path)
            keys = [_unquote(k) for k in line[:-1].split(",")]
            current = {}
            section = None
            entries.append((keys, current, lineno))
        elif current is None:
            raise ParseError(f"line {lineno}: indented line outside an entry", path=path)
        elif indent == 2:
            section = None
            if line.endswith(":"):
                section = {}
                current[_unquote(line[:-1])] = section
                continue
            m = _KV.match(line)
            if not m:
                raise ParseError(f"line {lineno}: expected 'key value'", path=path)
            current[_unquote(m.group(1))] = _unquote(m.group(2))
        else:
            if section is None:
                raise ParseError(f"line {lineno}: unexpected indentation", path=path)
            m = _KV.match(line)
            if not m:
                raise ParseError(f"line {lineno}: expected 'name range'", path=path)
            section[_unquote(m.group(1))] = _unquote(m.group(2))
    return entries


def _parse_berry(text: str, path: str) -> list[tuple[list[str], dict[str, Any], int]]:
    data = load_yaml(text, path)
    if not isinstance(data, dict):
        raise ParseError("expected a mapping at the top level", path=path)
    entries = []
    for key, value in data.items():
        if key == "__metadata" or not isinstance(key, str):
            continue
        if not isinstance(value, dict):
            raise ParseError("expected a mapping", path=path, field=key)
        entries.append(([k.strip() for k in key.split(",")], value, 0))
    return entries


def parse(text: str, path: str, read: Reader) -> Manifest:
    berry = "__metadata:" in text[:4096]
    entries = _parse_berry(text, path) if berry else _parse_classic(text, path)
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format="yarn.lock (berry)" if berry else "yarn.lock v1")
    by_descriptor: dict[str, int] = {}
    for idx, (keys, _, _) in enumerate(entries):
        for k in keys:
            by_descriptor[k] = idx
    edges: dict[str, list[str]] = {}
    roots: set[str] = set()
    packages: dict[str, tuple[str, str, int]] = {}
    for idx, (keys, info, lineno) in enumerate(entries):
        node = str(idx)
        name = _descriptor_name(keys[0])
        version = info.get("version")
        if not isinstance(version, str):
            raise ParseError("missing version", path=path, field=keys[0])
        targets = []
        for section in ("dependencies", "optionalDependencies"):
            deps = info.get(section)
            if isinstance(deps, dict):
                for dep, rng in deps.items():
                    rng = str(rng)
                    cands = [f"{dep}@{rng}"] + ([f"{dep}@npm:{rng}"] if berry and ":" not in rng else [])
                    for c in cands:
                        if c in by_descriptor:
                            targets.append(str(by_descriptor[c]))
                            break
        edges[node] = targets
        resolution = str(info.get("resolution", ""))
        if berry and ("@workspace:" in resolution or "@workspace:" in keys[0]):
            roots.update(targets)
            continue
        if berry and not ("@npm:" in resolution or resolution == ""):
            manifest.notes.append(f"{keys[0]}: resolved from {resolution!r}, not the npm registry; not matched")
            continue
        packages[node] = (name, version, lineno)
    if not berry:
        direct = direct_dependencies(path, read)
        if direct is not None:
            for idx, (keys, _, _) in enumerate(entries):
                if _descriptor_name(keys[0]) in direct:
                    roots.add(str(idx))
        else:
            roots = roots_without_parents(packages, edges)
    paths = shortest_paths(roots, edges)
    for node, (name, version, lineno) in packages.items():
        chain = paths.get(node)
        manifest.packages.append(
            Package(
                ECOSYSTEM,
                name,
                version,
                line=lineno or None,
                direct=node in roots,
                dependency_path=tuple(packages[c][0] for c in chain if c in packages) if chain else (name,),
                locator="" if lineno else f'"{entries[int(node)][0][0]}',
            )
        )
    return manifest
