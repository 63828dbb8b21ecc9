"""Direct dependencies of a Python project from the ``pyproject.toml`` next to its lockfile (PEP 621
``[project]``, ``[dependency-groups]``, Poetry's ``[tool.poetry.*dependencies]``, PDM's dev dependencies).
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from garrison.scan.analyzers.deps.parsers.base import Reader, sibling

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_SEP = re.compile(r"[-_.]+")


def norm(name: str) -> str:
    return _SEP.sub("-", name.strip()).lower()


def _names(specs: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(specs, list):
        for s in specs:
            if isinstance(s, str):
                m = _NAME.match(s)
                if m:
                    out.add(norm(m.group(1)))
    return out


def direct_dependencies(lock_path: str, read: Reader) -> set[str] | None:
    """Normalised names of direct dependencies, or None when there is no readable pyproject.toml."""
    text = read(sibling(lock_path, "pyproject.toml"))
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None
    names: set[str] = set()
    project = data.get("project")
    if isinstance(project, dict):
        names |= _names(project.get("dependencies"))
        optional = project.get("optional-dependencies")
        if isinstance(optional, dict):
            for specs in optional.values():
                names |= _names(specs)
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for specs in groups.values():
            names |= _names(specs)
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if isinstance(poetry, dict):
        for key in ("dependencies", "dev-dependencies"):
            deps = poetry.get(key)
            if isinstance(deps, dict):
                names |= {norm(n) for n in deps if n.lower() != "python"}
        pgroups = poetry.get("group")
        if isinstance(pgroups, dict):
            for g in pgroups.values():
                if isinstance(g, dict) and isinstance(g.get("dependencies"), dict):
                    names |= {norm(n) for n in g["dependencies"]}
    pdm = tool.get("pdm") if isinstance(tool, dict) else None
    if isinstance(pdm, dict) and isinstance(pdm.get("dev-dependencies"), dict):
        for specs in pdm["dev-dependencies"].values():
            names |= _names(specs)
    return names
