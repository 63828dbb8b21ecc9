"""Maven pom.xml: ``<dependencies>`` with explicit versions, ``${property}`` references resolved from the
file's own ``<properties>``, ``project.*``/``parent.*`` values and ``<dependencyManagement>``.
Parsed with defusedxml (no external entities, no entity expansion). Versions that stay unresolved or are
ranges (``[1.0,2.0)``) are reported as notes and not matched.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from garrison.scan.analyzers.deps.parsers.base import Manifest, Package, ParseError, Reader

ECOSYSTEM = "Maven"
_PROP = re.compile(r"\$\{([^}]+)\}")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(el: ET.Element, name: str) -> ET.Element | None:
    for c in el:
        if isinstance(c.tag, str) and _local(c.tag) == name:
            return c
    return None


def _text(el: ET.Element | None, name: str) -> str:
    c = _child(el, name) if el is not None else None
    return (c.text or "").strip() if c is not None else ""


def parse(text: str, path: str, read: Reader) -> Manifest:
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        root = DET.fromstring(text.encode("utf-8"))
    except DefusedXmlException as exc:
        raise ParseError(f"refused: {type(exc).__name__} (DTDs and entities are not allowed)", path=path) from None
    except ET.ParseError as exc:
        raise ParseError(f"invalid XML: {exc}", path=path) from None
    if _local(root.tag) != "project":
        raise ParseError(f"root element is <{_local(root.tag)}>, expected <project>", path=path)
    manifest = Manifest(path=path, ecosystem=ECOSYSTEM, format="pom.xml")
    parent = _child(root, "parent")
    props: dict[str, str] = {}
    for key in ("groupId", "artifactId", "version"):
        value = _text(root, key) or _text(parent, key)
        if value:
            props[f"project.{key}"] = value
            props[f"pom.{key}"] = value
        if parent is not None and _text(parent, key):
            props[f"project.parent.{key}"] = _text(parent, key)
            props[f"parent.{key}"] = _text(parent, key)
    properties = _child(root, "properties")
    if properties is not None:
        for p in properties:
            if isinstance(p.tag, str):
                props[_local(p.tag)] = (p.text or "").strip()

    def resolve(value: str) -> str:
        for _ in range(10):  # properties may refer to properties; bounded
            new = _PROP.sub(lambda m: props.get(m.group(1), m.group(0)), value)
            if new == value:
                break
            value = new
        return value

    managed: dict[str, str] = {}
    dm = _child(root, "dependencyManagement")
    dm_deps = _child(dm, "dependencies") if dm is not None else None
    for d in dm_deps if dm_deps is not None else []:
        if isinstance(d.tag, str) and _local(d.tag) == "dependency":
            key = f"{resolve(_text(d, 'groupId'))}:{resolve(_text(d, 'artifactId'))}"
            if _text(d, "version"):
                managed[key] = resolve(_text(d, "version"))
    deps = _child(root, "dependencies")
    for d in deps if deps is not None else []:
        if not (isinstance(d.tag, str) and _local(d.tag) == "dependency"):
            continue
        group, artifact = resolve(_text(d, "groupId")), resolve(_text(d, "artifactId"))
        if not group or not artifact:
            raise ParseError("dependency without groupId/artifactId", path=path, field="dependencies")
        name = f"{group}:{artifact}"
        version = resolve(_text(d, "version")) or managed.get(name, "")
        scope = _text(d, "scope")
        if not version or "${" in version or version[:1] in "[(":
            why = "no version" if not version else f"version {version!r} is not exact"
            manifest.notes.append(f"{name}: {why}; not matched")
            continue
        manifest.packages.append(
            Package(
                ECOSYSTEM,
                name,
                version,
                direct=True,
                dependency_path=(name,),
                scope="" if scope in ("", "compile", "runtime") else scope,
                locator=f"<artifactId>{_text(d, 'artifactId')}</artifactId>",
            )
        )
    return manifest
