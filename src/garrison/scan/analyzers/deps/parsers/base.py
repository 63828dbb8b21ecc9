"""What every lockfile parser returns: a typed list of packages, pure data, no I/O.

A parser is a module with ``parse(text: str, path: str, read: Reader) -> Manifest``. ``read`` returns the
text of another file (relative to the scan root, POSIX) or None — for ``-r`` includes and for the manifest
next to a lockfile that names the direct dependencies (``package.json``, ``pyproject.toml``, …). Malformed
input raises :class:`ParseError` (a :class:`~garrison.core.errors.FileSkipped`: the file is reported as
skipped and the scan goes on).
"""

from __future__ import annotations

import json
import posixpath
import tomllib
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from garrison.core.errors import FileSkipped

Reader = Callable[[str], str | None]

#: nodes/edges cap for dependency graphs: path computation stays linear and bounded
MAX_NODES = 200_000


class ParseError(FileSkipped):
    """The file is not a valid instance of its format."""


@dataclass(frozen=True, slots=True)
class Package:
    ecosystem: str  # OSV spelling
    name: str
    version: str  # the exact resolved/pinned version; "" when the file does not pin one
    line: int | None = None
    direct: bool | None = None  # None: the file does not say
    dependency_path: tuple[str, ...] = ()  # names from a direct dependency down to this one (inclusive)
    scope: str = ""  # "dev", "optional", "test", … ("" = runtime)
    spec: str = ""  # the requirement as written, for unpinned entries
    locator: str = ""  # text whose first occurrence marks the package's line (found lazily)
    manifest: str = ""  # the file it was declared in, when not the parsed file (``-r`` includes)
    marker: str = ""  # PEP 508 environment marker under which it is installed ("" = always / not stated)


@dataclass(slots=True)
class Manifest:
    path: str
    ecosystem: str
    format: str
    packages: list[Package] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


#: longest marker kept; a longer one (a pathological lockfile graph) is dropped, i.e. "always installed"
MAX_MARKER_CHARS = 2_000


def marker_text(value: object) -> str:
    """A PEP 508 marker normalised by ``packaging`` (``str(Marker(…))``); "" when absent or invalid —
    an invalid marker never makes a package conditional."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_MARKER_CHARS:
        return ""
    from packaging.markers import InvalidMarker, Marker

    try:
        return str(Marker(value))
    except (InvalidMarker, RecursionError):
        return ""


def any_marker(markers: Iterable[str]) -> str:
    """The disjunction of markers: "" (always) if any of them is "" or if there are none."""
    parts = list(dict.fromkeys(markers))
    if not parts or "" in parts:
        return ""
    return marker_text(parts[0] if len(parts) == 1 else " or ".join(f"({m})" for m in parts))


def sibling(path: str, name: str) -> str:
    """The path of ``name`` in the same directory as ``path``."""
    return posixpath.join(posixpath.dirname(path), name)


def load_json(text: str, path: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON at line {exc.lineno}: {exc.msg}", path=path) from None
    except RecursionError:
        raise ParseError("JSON nested too deeply", path=path) from None


def load_toml(text: str, path: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParseError(f"invalid TOML: {exc}", path=path) from None
    except RecursionError:
        raise ParseError("TOML nested too deeply", path=path) from None


def load_yaml(text: str, path: str) -> Any:
    """Safe YAML where every scalar stays a string (versions like ``1.10`` must not become floats)."""
    import yaml

    from garrison.advisories.osv import _string_loader, yaml_too_deep

    if yaml_too_deep(text):
        raise ParseError("YAML nested too deeply", path=path)
    try:
        return yaml.load(text, Loader=_string_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ParseError(f"invalid YAML{where}", path=path) from None
    except RecursionError:
        raise ParseError("YAML nested too deeply", path=path) from None


def expect_dict(value: Any, path: str, field_name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ParseError(f"expected an object, got {type(value).__name__}", path=path, field=field_name)
    return value


def expect_list(value: Any, path: str, field_name: str) -> list[Any]:
    if not isinstance(value, list):
        raise ParseError(f"expected a list, got {type(value).__name__}", path=path, field=field_name)
    return value


def text_field(obj: Mapping[str, Any], key: str, path: str, where: str, *, required: bool = False) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            raise ParseError("required", path=path, field=f"{where}.{key}" if where else key)
        return ""
    if not isinstance(value, str):
        raise ParseError(
            f"expected a string, got {type(value).__name__}", path=path, field=f"{where}.{key}" if where else key
        )
    return value


def shortest_paths(roots: Iterable[str], edges: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Breadth-first from the roots: node -> the shortest chain of nodes from a root to it (inclusive)."""
    paths: dict[str, tuple[str, ...]] = {}
    queue: deque[str] = deque()
    for r in sorted(set(roots)):
        if r not in paths:
            paths[r] = (r,)
            queue.append(r)
    while queue and len(paths) < MAX_NODES:
        node = queue.popleft()
        for nxt in sorted(set(edges.get(node, ()))):
            if nxt not in paths:
                paths[nxt] = (*paths[node], nxt)
                queue.append(nxt)
    return paths


def roots_without_parents(nodes: Iterable[str], edges: Mapping[str, Iterable[str]]) -> set[str]:
    """Fallback when the file does not name direct dependencies: nodes nothing depends on."""
    all_nodes = set(nodes)
    children = {c for deps in edges.values() for c in deps}
    return all_nodes - children


def line_of_offset(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def find_line(text: str, needle: str) -> int | None:
    if not needle:
        return None
    at = text.find(needle)
    return None if at < 0 else line_of_offset(text, at)
