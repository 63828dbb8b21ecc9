"""Gemfile.lock / gems.locked: the ``GEM`` (and ``GIT``/``PATH``) ``specs:`` with 4-space ``name (version)``
and 6-space dependency lines, and ``DEPENDENCIES`` for the direct ones. Platform suffixes
(``1.13.10-x86_64-linux``) are stripped; gems from ``GIT``/``PATH`` sources are not matched.
"""

from __future__ import annotations

import re

from garrison.scan.analyzers.deps.parsers.base import Manifest, Package, ParseError, Reader, shortest_paths

ECOSYSTEM = "RubyGems"
_SPEC = re.compile(r"^    ([^\s(]+) \(([^)]+)\)$")
_DEP = re.compile(r"^      ([^\s(]+)(?: \(.*\))?$")
_DIRECT = re.compile(r"^  ([^\s(!]+)!?(?: \(.*\))?!?$")


def parse(text: str, path: str, read: Reader) -> Manifest:
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format="Gemfile.lock")
    section = ""
    in_specs = False
    current: str | None = None
    gems: dict[str, tuple[str, int, str]] = {}
    edges: dict[str, list[str]] = {}
    direct: set[str] = set()
    saw_section = False
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line:
            continue
        if not line.startswith(" "):
            section = line.strip()
            in_specs = False
            saw_section = saw_section or section in ("GEM", "GIT", "PATH", "DEPENDENCIES")
            continue
        if section in ("GEM", "GIT", "PATH", "PLUGIN SOURCE"):
            if line.strip() == "specs:":
                in_specs = True
                continue
            if not in_specs:
                continue
            m = _SPEC.match(line)
            if m:
                name, version = m.group(1), m.group(2).split("-", 1)[0]
                current = name
                if name not in gems:
                    gems[name] = (version, lineno, section)
                continue
            d = _DEP.match(line)
            if d and current is not None:
                edges.setdefault(current, []).append(d.group(1))
                continue
            if line.startswith("  ") and ":" in line and not line.startswith("    "):
                continue
            raise ParseError(f"line {lineno}: unexpected line in specs", path=path)
        elif section == "DEPENDENCIES":
            m = _DIRECT.match(line)
            if m:
                direct.add(m.group(1))
    if not saw_section:
        raise ParseError("no GEM/DEPENDENCIES sections; not a Gemfile.lock", path=path)
    paths = shortest_paths(direct, edges)
    for name, (version, lineno, source) in gems.items():
        if source != "GEM":
            manifest.notes.append(f"{name}: from a {source} source; not matched")
            continue
        manifest.packages.append(
            Package(
                ECOSYSTEM,
                name,
                version,
                line=lineno,
                direct=name in direct,
                dependency_path=paths.get(name, (name,)),
            )
        )
    return manifest
