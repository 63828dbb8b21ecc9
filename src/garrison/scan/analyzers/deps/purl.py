"""Package URLs (purl spec) for packages of each ecosystem."""

from __future__ import annotations

from functools import lru_cache

from garrison.advisories.versions import scheme_for

_TYPES = {
    "PyPI": "pypi",
    "npm": "npm",
    "Go": "golang",
    "crates.io": "cargo",
    "RubyGems": "gem",
    "Packagist": "composer",
    "Maven": "maven",
    "NuGet": "nuget",
}


@lru_cache(maxsize=65536)
def purl_for(ecosystem: str, name: str, version: str = "") -> str:
    from packageurl import PackageURL

    ptype = _TYPES.get(ecosystem, "generic")
    namespace: str | None = None
    pname = name
    if ptype == "pypi":
        pname = scheme_for("PyPI").normalize_name(name)
    elif ptype == "maven" and ":" in name:
        namespace, pname = name.split(":", 1)
    elif ptype in ("npm", "golang", "composer") and "/" in name:
        namespace, pname = name.rsplit("/", 1)
    return str(PackageURL(type=ptype, namespace=namespace, name=pname, version=version or None).to_string())
