"""Lockfile and manifest parsers, one pure module per format, chosen by file name."""

from __future__ import annotations

import importlib
import re
from types import ModuleType

_EXACT: dict[str, str] = {
    "poetry.lock": "poetry",
    "Pipfile.lock": "pipenv",
    "uv.lock": "uv",
    "pdm.lock": "pdm",
    "pylock.toml": "pylock",
    "package-lock.json": "npm",
    "npm-shrinkwrap.json": "npm",
    "yarn.lock": "yarn",
    "pnpm-lock.yaml": "pnpm",
    "go.mod": "gomod",
    "Cargo.lock": "cargo",
    "Gemfile.lock": "gemfile",
    "gems.locked": "gemfile",
    "composer.lock": "composer",
    "gradle.lockfile": "gradle",
    "buildscript-gradle.lockfile": "gradle",
    "pom.xml": "maven",
    "packages.lock.json": "nuget",
    "bom.json": "sbom",
    "sbom.json": "sbom",
    "bom.xml": "sbom",
}
_REQUIREMENTS = re.compile(r"^(?:.*[-_.])?requirements(?:[-_.].*)?\.txt$", re.IGNORECASE)
_PYLOCK = re.compile(r"^pylock\.[^/]+\.toml$")
_SBOM = re.compile(r"^.+\.(?:(?:cdx|bom|sbom|spdx)\.json|(?:cdx|bom|sbom)\.xml|spdx)$", re.IGNORECASE)

#: files read only as companions of a lockfile (direct dependencies, go.sum, includes)
COMPANIONS = frozenset({"package.json", "pyproject.toml", "Pipfile", "composer.json", "go.sum"})


def parser_name(path: str) -> str | None:
    """The parser module for a file path (POSIX, relative), or None."""
    name = path.rsplit("/", 1)[-1]
    found = _EXACT.get(name)
    if found:
        return found
    if _REQUIREMENTS.match(name) or ("/requirements/" in f"/{path}" and name.endswith(".txt")):
        return "requirements"
    if _PYLOCK.match(name):
        return "pylock"
    if _SBOM.match(name):
        return "sbom"
    if name.endswith(".lockfile") and "/dependency-locks/" in f"/{path}":
        return "gradle"
    return None


def load(parser: str) -> ModuleType:
    return importlib.import_module(f"garrison.scan.analyzers.deps.parsers.{parser}")
