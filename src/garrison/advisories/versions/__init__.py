"""One version comparator per ecosystem, behind :class:`~garrison.advisories.versions.base.VersionScheme`."""

from __future__ import annotations

from functools import cache

from garrison.advisories.versions.base import InvalidVersion, VersionScheme

__all__ = ["ECOSYSTEMS", "InvalidVersion", "VersionScheme", "canonical_ecosystem", "scheme_for"]

#: OSV ecosystem name -> "module:Class" (imported on first use)
_SCHEMES: dict[str, str] = {
    "PyPI": "garrison.advisories.versions.pypi:PypiScheme",
    "npm": "garrison.advisories.versions.semver:NpmScheme",
    "Go": "garrison.advisories.versions.semver:GoScheme",
    "crates.io": "garrison.advisories.versions.semver:CratesScheme",
    "RubyGems": "garrison.advisories.versions.rubygems:RubygemsScheme",
    "Packagist": "garrison.advisories.versions.packagist:PackagistScheme",
    "Maven": "garrison.advisories.versions.maven:MavenScheme",
    "NuGet": "garrison.advisories.versions.nuget:NugetScheme",
}
ECOSYSTEMS: tuple[str, ...] = tuple(_SCHEMES)
_BY_LOWER = {e.lower(): e for e in ECOSYSTEMS}


def canonical_ecosystem(name: str) -> str | None:
    """``pypi`` -> ``PyPI``; None for ecosystems Garrison has no comparator for."""
    return _BY_LOWER.get(name.strip().lower())


@cache
def scheme_for(ecosystem: str) -> VersionScheme:
    """The comparator of an OSV ecosystem (exact OSV spelling, see :data:`ECOSYSTEMS`)."""
    import importlib

    target = _SCHEMES.get(ecosystem)
    if target is None:
        raise KeyError(ecosystem)
    module, _, attr = target.partition(":")
    cls: type[VersionScheme] = getattr(importlib.import_module(module), attr)
    return cls()
