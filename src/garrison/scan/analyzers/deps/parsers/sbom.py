"""SBOMs as input: CycloneDX JSON (``components``, nested, with ``purl``; ``dependencies`` graph rooted at
``metadata.component``) and SPDX 2.x JSON (``packages[].externalRefs`` of type ``purl``;
``DEPENDS_ON``/``DEPENDENCY_OF`` relationships). Components are mapped to ecosystems by their purl type.
"""

from __future__ import annotations

from typing import Any

from garrison.scan.analyzers.deps.parsers.base import (
    Manifest,
    Package,
    ParseError,
    Reader,
    expect_dict,
    expect_list,
    load_json,
    shortest_paths,
)

PURL_ECOSYSTEMS = {
    "pypi": "PyPI",
    "npm": "npm",
    "golang": "Go",
    "cargo": "crates.io",
    "gem": "RubyGems",
    "composer": "Packagist",
    "maven": "Maven",
    "nuget": "NuGet",
}
MAX_DEPTH = 32


def purl_package(purl: str) -> tuple[str, str, str] | None:
    """(ecosystem, name, version) of a package URL Garrison can match, else None."""
    from packageurl import PackageURL

    try:
        p = PackageURL.from_string(purl)
    except ValueError:
        return None
    eco = PURL_ECOSYSTEMS.get(p.type)
    if eco is None or not p.version:
        return None
    if p.type == "maven":
        name = f"{p.namespace}:{p.name}" if p.namespace else p.name
    elif p.namespace:
        name = f"{p.namespace}/{p.name}"
    else:
        name = p.name
    return eco, name, p.version


def _cyclonedx(data: dict[str, Any], path: str, manifest: Manifest) -> None:
    comps: dict[str, tuple[str, str, str, str]] = {}  # bom-ref -> (eco, name, version, purl)

    def walk(items: Any, where: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ParseError("components nested too deeply", path=path, field=where)
        for i, raw in enumerate(expect_list(items, path, where)):
            c = expect_dict(raw, path, f"{where}[{i}]")
            purl = c.get("purl")
            ref = c.get("bom-ref") if isinstance(c.get("bom-ref"), str) else purl
            if isinstance(purl, str):
                found = purl_package(purl)
                if found is not None and isinstance(ref, str):
                    comps[ref] = (*found, purl)
            if "components" in c:
                walk(c["components"], f"{where}[{i}].components", depth + 1)

    walk(data.get("components", []), "components", 0)
    edges: dict[str, list[str]] = {}
    for i, raw in enumerate(expect_list(data.get("dependencies", []), path, "dependencies")):
        d = expect_dict(raw, path, f"dependencies[{i}]")
        if isinstance(d.get("ref"), str) and isinstance(d.get("dependsOn"), list):
            edges[d["ref"]] = [x for x in d["dependsOn"] if isinstance(x, str)]
    meta = data.get("metadata")
    root = (
        meta.get("component", {}).get("bom-ref")
        if isinstance(meta, dict) and isinstance(meta.get("component"), dict)
        else None
    )
    roots = set(edges.get(root, ())) if isinstance(root, str) else set()
    paths = shortest_paths(roots, edges)
    for ref, (eco, name, version, purl) in comps.items():
        chain = paths.get(ref)
        manifest.packages.append(
            Package(
                eco,
                name,
                version,
                direct=(ref in roots) if roots else None,
                dependency_path=tuple(comps[c][1] for c in chain if c in comps) if chain else (name,),
                locator=f'"{purl}"',
            )
        )


def _spdx(data: dict[str, Any], path: str, manifest: Manifest) -> None:
    pkgs: dict[str, tuple[str, str, str, str]] = {}
    for i, raw in enumerate(expect_list(data.get("packages", []), path, "packages")):
        p = expect_dict(raw, path, f"packages[{i}]")
        spdx_id = p.get("SPDXID")
        for ref in p.get("externalRefs", []) or []:
            if (
                isinstance(ref, dict)
                and ref.get("referenceType") == "purl"
                and isinstance(ref.get("referenceLocator"), str)
            ):
                found = purl_package(ref["referenceLocator"])
                if found is not None and isinstance(spdx_id, str):
                    pkgs[spdx_id] = (*found, ref["referenceLocator"])
                    break
    edges: dict[str, list[str]] = {}
    described: set[str] = set(x for x in data.get("documentDescribes", []) or [] if isinstance(x, str))
    for i, raw in enumerate(expect_list(data.get("relationships", []) or [], path, "relationships")):
        r = expect_dict(raw, path, f"relationships[{i}]")
        a, kind, b = r.get("spdxElementId"), r.get("relationshipType"), r.get("relatedSpdxElement")
        if not (isinstance(a, str) and isinstance(b, str)):
            continue
        if kind == "DEPENDS_ON":
            edges.setdefault(a, []).append(b)
        elif kind == "DEPENDENCY_OF":
            edges.setdefault(b, []).append(a)
        elif kind == "DESCRIBES":
            described.add(b)
    roots = {c for d in described for c in edges.get(d, ())}
    paths = shortest_paths(roots, edges)
    for sid, (eco, name, version, purl) in pkgs.items():
        chain = paths.get(sid)
        manifest.packages.append(
            Package(
                eco,
                name,
                version,
                direct=(sid in roots) if roots else None,
                dependency_path=tuple(pkgs[c][1] for c in chain if c in pkgs) if chain else (name,),
                locator=f'"{purl}"',
            )
        )


def parse(text: str, path: str, read: Reader) -> Manifest:
    data = expect_dict(load_json(text, path), path, "(document)")
    if data.get("bomFormat") == "CycloneDX":
        manifest = Manifest(path=path, ecosystem="", format=f"CycloneDX {data.get('specVersion', '')}".strip())
        _cyclonedx(data, path, manifest)
    elif isinstance(data.get("spdxVersion"), str):
        manifest = Manifest(path=path, ecosystem="", format=str(data["spdxVersion"]))
        _spdx(data, path, manifest)
    else:
        raise ParseError("neither a CycloneDX (bomFormat) nor an SPDX (spdxVersion) JSON document", path=path)
    return manifest
