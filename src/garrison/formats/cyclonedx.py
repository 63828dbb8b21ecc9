"""``--format cyclonedx``: a CycloneDX 1.6 JSON SBOM built with cyclonedx-python-lib — every package of
the scanned lockfiles as a component (purl, scope, direct/transitive, manifest) and every vulnerability
finding in ``vulnerabilities`` (ratings with the CVSS score and vector, aliases as references, the fix as
recommendation, the affected component and version). Validated against the official schema in tests.

Deterministic: the serial number is a UUIDv5 of the content and the timestamp appears only with
``--timestamps``.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from garrison import __version__
from garrison.core.finding import Finding
from garrison.core.report import Report
from garrison.core.severity import Severity
from garrison.formats.base import WriteOptions
from garrison.formats.components import components, vulnerabilities

if TYPE_CHECKING:
    from garrison.policy.gate import Decision

_NAMESPACE = uuid.UUID("5c3e3ad4-38b4-4bd6-9a54-4f1f3e0f6a11")


def _rating(f: Finding) -> Any:
    from cyclonedx.model.vulnerability import (
        VulnerabilityRating,
        VulnerabilityScoreSource,
        VulnerabilitySeverity,
    )

    vector = f.evidence.get("cvss_vector")
    vector = vector if isinstance(vector, str) else ""
    method = VulnerabilityScoreSource.OTHER
    if vector.startswith("CVSS:4"):
        method = VulnerabilityScoreSource.CVSS_V4
    elif vector.startswith("CVSS:3.1"):
        method = VulnerabilityScoreSource.CVSS_V3_1
    elif vector.startswith("CVSS:3"):
        method = VulnerabilityScoreSource.CVSS_V3
    elif vector:
        method = VulnerabilityScoreSource.CVSS_V2
    sev = {
        Severity.CRITICAL: VulnerabilitySeverity.CRITICAL,
        Severity.HIGH: VulnerabilitySeverity.HIGH,
        Severity.MEDIUM: VulnerabilitySeverity.MEDIUM,
        Severity.LOW: VulnerabilitySeverity.LOW,
        Severity.INFO: VulnerabilitySeverity.INFO,
    }[f.severity]
    return VulnerabilityRating(
        score=Decimal(str(f.score)) if f.score is not None else None,
        severity=sev,
        method=method,
        vector=vector or None,
    )


def _source(adv_id: str) -> Any:
    from cyclonedx.model import XsUri
    from cyclonedx.model.vulnerability import VulnerabilitySource

    if adv_id.startswith("GHSA-"):
        return VulnerabilitySource(
            name="GitHub Advisory Database", url=XsUri(f"https://github.com/advisories/{adv_id}")
        )
    if adv_id.startswith("CVE-"):
        return VulnerabilitySource(name="NVD", url=XsUri(f"https://nvd.nist.gov/vuln/detail/{adv_id}"))
    return VulnerabilitySource(name="OSV", url=XsUri(f"https://osv.dev/vulnerability/{adv_id}"))


def build_bom(report: Report) -> Any:
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component, ComponentScope, ComponentType
    from cyclonedx.model.vulnerability import BomTarget, BomTargetVersionRange, Vulnerability, VulnerabilityReference
    from packageurl import PackageURL

    comps = components(report)
    root = Component(name=report.target.path or "project", type=ComponentType.APPLICATION, bom_ref="garrison:target")
    bom = Bom(metadata=BomMetaData(component=root))
    from cyclonedx.model.tool import Tool

    bom.metadata.tools.tools.add(Tool(vendor="Garrison", name="garrison", version=__version__))
    for c in comps:
        props = [Property(name="garrison:manifest", value=m) for m in c.manifests]
        if c.direct is not None:
            props.append(Property(name="garrison:dependency", value="direct" if c.direct else "transitive"))
        if c.ecosystem:
            props.append(Property(name="garrison:ecosystem", value=c.ecosystem))
        purl = PackageURL.from_string(c.purl)
        namespace = purl.namespace if purl.type in ("maven", "npm", "composer", "golang") else None
        bom.components.add(
            Component(
                name=purl.name,
                group=namespace,
                version=c.version or None,
                purl=purl,
                bom_ref=c.purl,
                scope=ComponentScope.OPTIONAL if c.scope in ("dev", "optional", "test") else ComponentScope.REQUIRED,
                properties=props,
            )
        )
    direct = [bom.get_component_by_purl(PackageURL.from_string(c.purl)) for c in comps if c.direct]
    bom.register_dependency(root, [d for d in direct if d is not None])
    by_id: dict[str, list[Finding]] = {}
    for f in vulnerabilities(report):
        by_id.setdefault(f.rule.id, []).append(f)
    for vid, group in sorted(by_id.items()):
        f0 = max(group, key=lambda f: (f.severity, f.score or 0.0))
        aliases = sorted({a for f in group for a in f.aliases})
        affects: dict[str, list[str]] = {}
        for f in group:
            purl_s = str(f.location.purl)
            target = affects.setdefault(purl_s, [])
            if f.location.package_version and f.location.package_version not in target:
                target.append(f.location.package_version)
        bom.vulnerabilities.add(
            Vulnerability(
                bom_ref=f"garrison:vuln:{vid}",
                id=vid,
                source=_source(vid),
                references=[VulnerabilityReference(id=a, source=_source(a)) for a in aliases],
                ratings=[_rating(f0)],
                cwes=list(f0.rule.cwe) or None,
                description=f0.rule.title,
                detail=f0.rule.description if f0.rule.description != f0.rule.title else None,
                recommendation=f0.fix.instruction or None,
                affects=[
                    BomTarget(ref=purl_s, versions=[BomTargetVersionRange(version=v) for v in versions])
                    for purl_s, versions in sorted(affects.items())
                ],
                properties=[Property(name="garrison:fingerprint", value=f.fingerprint) for f in group],
            )
        )
    return bom


class CycloneDxWriter:
    name = "cyclonedx"
    extension = "cdx.json"

    def write(self, report: Report, decision: Decision | None, options: WriteOptions) -> bytes:
        from cyclonedx.output.json import JsonV1Dot6

        bom = build_bom(report)
        doc = json.loads(JsonV1Dot6(bom).output_as_string())
        doc.get("metadata", {}).pop("timestamp", None)
        if report.started_at:
            doc.setdefault("metadata", {})["timestamp"] = report.started_at
        doc.pop("serialNumber", None)
        body = json.dumps(doc, sort_keys=True, separators=(",", ":"))
        doc["serialNumber"] = uuid.uuid5(_NAMESPACE, body).urn
        return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()
