"""The package inventory and vulnerabilities of a report, as SBOM writers need them.

Components come from ``Report.metadata["deps"]["components"]`` (every package the deps analyzer saw), plus
any package named by a vulnerability finding (reports imported from elsewhere), keyed by purl.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from garrison.core.finding import Finding, FindingKind
from garrison.core.report import Report


@dataclass(slots=True)
class Component:
    purl: str
    name: str
    version: str
    ecosystem: str = ""
    manifests: list[str] = field(default_factory=list)
    direct: bool | None = None
    scope: str = ""


def components(report: Report) -> list[Component]:
    out: dict[str, Component] = {}
    meta = report.metadata.get("deps")
    items: Any = meta.get("components", []) if isinstance(meta, dict) else []
    for c in items if isinstance(items, list) else []:
        if not isinstance(c, dict) or not isinstance(c.get("purl"), str):
            continue
        comp = out.get(c["purl"])
        if comp is None:
            comp = out[c["purl"]] = Component(
                purl=c["purl"],
                name=str(c.get("name", "")),
                version=str(c.get("version", "")),
                ecosystem=str(c.get("ecosystem", "")),
                direct=c.get("direct") if isinstance(c.get("direct"), bool) else None,
                scope=str(c.get("scope", "")),
            )
        manifest = c.get("manifest")
        if isinstance(manifest, str) and manifest not in comp.manifests:
            comp.manifests.append(manifest)
        if c.get("direct") is True:
            comp.direct = True
    for f in vulnerabilities(report):
        purl = f.location.purl
        if purl and purl not in out:
            pkg = f.evidence.get("package")
            out[purl] = Component(
                purl=purl,
                name=pkg if isinstance(pkg, str) else purl,
                version=f.location.package_version or "",
                manifests=[f.location.path] if f.location.path else [],
            )
    return sorted(out.values(), key=lambda c: c.purl)


def vulnerabilities(report: Report) -> list[Finding]:
    """Vulnerability findings about a specific package version (not unpinned-dependency notes)."""
    return [
        f
        for f in report.findings
        if f.kind is FindingKind.VULNERABILITY and f.location.purl and f.location.package_version
    ]
