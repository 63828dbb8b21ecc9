"""SBOMs as input: CycloneDX JSON (``components``, nested, with ``purl``; ``dependencies`` graph rooted at
``metadata.component``) and SPDX 2.x JSON (``packages[].externalRefs`` of type ``purl``;
``DEPENDS_ON``/``DEPENDENCY_OF`` relationships). Components are mapped to ecosystems by their purl type.

CycloneDX XML (any ``http://cyclonedx.org/schema/bom/1.x`` namespace, or none) and SPDX 2.x tag-value are
converted to the dict shape of their JSON siblings and read by the same code. XML is parsed with defusedxml
and any DTD is refused (no entity expansion, no external entities). The format is chosen by content.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from typing import Any
from xml.sax.saxutils import escape

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


def _json_locator(purl: str) -> str:
    return f'"{purl}"'


def _xml_locator(purl: str) -> str:
    return f">{escape(purl)}<"


def _cyclonedx(
    data: dict[str, Any], path: str, manifest: Manifest, locator: Callable[[str], str] = _json_locator
) -> None:
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
                locator=locator(purl),
            )
        )


def _spdx(data: dict[str, Any], path: str, manifest: Manifest, lines: Mapping[str, int] | None = None) -> None:
    """``lines``: purl -> the line that declares it, when the caller knows (tag-value)."""
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
        line = lines.get(purl) if lines else None
        manifest.packages.append(
            Package(
                eco,
                name,
                version,
                line=line,
                direct=(sid in roots) if roots else None,
                dependency_path=tuple(pkgs[c][1] for c in chain if c in pkgs) if chain else (name,),
                locator="" if line else _json_locator(purl),
            )
        )


# -- CycloneDX XML ---------------------------------------------------------------------------------------

_CDX_NS = re.compile(r"\{http://cyclonedx\.org/schema/bom/(1\.\d+)\}")


def _load_xml(text: str, path: str) -> ET.Element:
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        root: ET.Element = DET.fromstring(text, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ParseError(f"refused: {type(exc).__name__} (DTDs and entities are not allowed)", path=path) from None
    except ET.ParseError as exc:
        raise ParseError(f"invalid XML: {exc}", path=path) from None
    except (ValueError, RecursionError) as exc:  # expat limits, encoding declarations it cannot honour
        raise ParseError(f"invalid XML: {type(exc).__name__}", path=path) from None
    return root


def _cyclonedx_xml(text: str, path: str) -> tuple[dict[str, Any], str]:
    """The XML document as the dict the JSON reader takes (only what it reads), and its spec version."""
    root = _load_xml(text, path)
    ns = ""
    spec = ""
    if isinstance(root.tag, str) and root.tag.startswith("{"):
        m = _CDX_NS.fullmatch(root.tag[: root.tag.find("}") + 1])
        if m is None:
            raise ParseError(f"namespace {root.tag[1 : root.tag.find('}')]!r} is not CycloneDX 1.x", path=path)
        ns, spec = m.group(0), m.group(1)
    if root.tag != f"{ns}bom":
        raise ParseError(f"root element is <{str(root.tag).rsplit('}', 1)[-1]}>, expected CycloneDX <bom>", path=path)

    def children(el: ET.Element, name: str) -> list[ET.Element]:
        return [c for c in el if c.tag == ns + name]

    def component(el: ET.Element, where: str, depth: int) -> dict[str, Any]:
        c: dict[str, Any] = {k: el.get(k) for k in ("bom-ref", "type") if el.get(k) is not None}
        for child in el:
            key = child.tag[len(ns) :] if isinstance(child.tag, str) and child.tag.startswith(ns) else ""
            if key in ("name", "version", "group", "purl") and key not in c:
                c[key] = (child.text or "").strip()
            elif key == "components":
                c["components"] = components(child, f"{where}.components", depth + 1)
        return c

    def components(el: ET.Element, where: str, depth: int) -> list[dict[str, Any]]:
        if depth > MAX_DEPTH:
            raise ParseError("components nested too deeply", path=path, field=where)
        return [component(c, f"{where}[{i}]", depth) for i, c in enumerate(children(el, "component"))]

    data: dict[str, Any] = {"bomFormat": "CycloneDX", "specVersion": spec, "components": [], "dependencies": []}
    for meta in children(root, "metadata"):
        for comp in children(meta, "component"):  # only its bom-ref matters (the root of the graph)
            data["metadata"] = {"component": {k: comp.get(k) for k in ("bom-ref",) if comp.get(k) is not None}}
    for comps in children(root, "components"):
        data["components"].extend(components(comps, "components", 0))
    for deps in children(root, "dependencies"):
        for d in children(deps, "dependency"):
            data["dependencies"].append(
                {"ref": d.get("ref"), "dependsOn": [x.get("ref") for x in children(d, "dependency")]}
            )
    return data, spec


# -- SPDX tag-value ------------------------------------------------------------------------------------------

_TAG = re.compile(r"([A-Za-z][A-Za-z0-9_-]*):[ \t]*(.*)")
#: tags that start an element other than a package: an SPDXID after them is not the package's
_OTHER_ELEMENTS = frozenset({"FileName", "SnippetSPDXID", "LicenseID"})


def _tag_values(text: str, path: str) -> list[tuple[int, str, str]]:
    """(line, tag, value) of every tag; ``<text>…</text>`` values (possibly multi-line) are skipped whole."""
    out: list[tuple[int, str, str]] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        lineno = i + 1
        i += 1
        if not line or line.startswith("#"):
            continue
        m = _TAG.fullmatch(line)
        if m is None:
            raise ParseError(f"line {lineno}: expected 'Tag: value'", path=path)
        tag, value = m.group(1), m.group(2).strip()
        if value.startswith("<text>"):
            rest = value[len("<text>") :]
            while "</text>" not in rest:
                if i >= len(lines):
                    raise ParseError(f"line {lineno}: {tag} <text> is never closed by </text>", path=path)
                rest = lines[i]
                i += 1
            value = ""  # free text: nothing Garrison reads
        out.append((lineno, tag, value))
    return out


def _spdx_tag_value(text: str, path: str) -> tuple[dict[str, Any], dict[str, int]]:
    """The tag-value document as the dict the SPDX JSON reader takes, and purl -> line."""
    packages: list[dict[str, Any]] = []
    relationships: list[dict[str, str]] = []
    lines: dict[str, int] = {}
    version = ""
    current: dict[str, Any] | None = None
    for lineno, tag, value in _tag_values(text, path):
        if tag == "SPDXVersion":
            version = version or value
        elif tag == "PackageName":
            current = {"name": value, "externalRefs": []}
            packages.append(current)
        elif tag in _OTHER_ELEMENTS:
            current = None
        elif current is not None and tag == "SPDXID":
            current["SPDXID"] = value
        elif current is not None and tag == "PackageVersion":
            current["versionInfo"] = value
        elif current is not None and tag == "ExternalRef":
            parts = value.split(None, 2)
            if len(parts) != 3:
                raise ParseError(f"line {lineno}: expected 'ExternalRef: CATEGORY TYPE LOCATOR'", path=path)
            category, kind, locator = parts
            current["externalRefs"].append(
                {"referenceCategory": category.replace("_", "-"), "referenceType": kind, "referenceLocator": locator}
            )
            if kind == "purl":
                lines.setdefault(locator, lineno)
        elif tag == "Relationship":
            parts = value.split()
            if len(parts) != 3:
                raise ParseError(f"line {lineno}: expected 'Relationship: ELEMENT TYPE ELEMENT'", path=path)
            relationships.append(
                {"spdxElementId": parts[0], "relationshipType": parts[1], "relatedSpdxElement": parts[2]}
            )
    if not version.startswith("SPDX-2."):
        found = f"SPDXVersion {version!r}" if version else "no SPDXVersion"
        raise ParseError(f"{found}: not an SPDX 2.x tag-value document", path=path)
    return {"spdxVersion": version, "packages": packages, "relationships": relationships}, lines


def _first_statement(text: str) -> str:
    for raw in text.split("\n"):
        line = raw.strip()
        if line and not line.startswith("#"):
            return line
    return ""


def parse(text: str, path: str, read: Reader) -> Manifest:
    text = text.removeprefix("\ufeff")
    head = text.lstrip()
    if head.startswith("<") or (path.lower().endswith(".xml") and not head.startswith(("{", "["))):
        data, spec = _cyclonedx_xml(head, path)
        manifest = Manifest(path=path, ecosystem="", format=" ".join(x for x in ("CycloneDX", spec, "XML") if x))
        _cyclonedx(data, path, manifest, locator=_xml_locator)
        return manifest
    if not head.startswith(("{", "[")) and (
        _first_statement(head).startswith("SPDXVersion:") or path.lower().endswith(".spdx")
    ):
        data, lines = _spdx_tag_value(text, path)
        manifest = Manifest(path=path, ecosystem="", format=f"{data['spdxVersion']} tag-value")
        _spdx(data, path, manifest, lines=lines)
        return manifest
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
