"""``--format spdx``: an SPDX 2.3 JSON document — one package per dependency (purl as a PACKAGE-MANAGER
external reference, advisories of its vulnerability findings as SECURITY references), the scanned project
as the described root package, and DEPENDS_ON relationships from it to the direct dependencies.

The document is plain JSON written here (spdx-tools, the reference library, pulls rdflib and a runtime
type checker into every install); the tests validate every document against the official SPDX 2.3 JSON
schema and parse and validate it with spdx-tools. ``creationInfo.created`` is required by SPDX: it is the
scan start time with ``--timestamps``, else ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from typing import TYPE_CHECKING, Any

from garrison import __version__
from garrison.core.report import Report
from garrison.formats.base import WriteOptions
from garrison.formats.components import components, vulnerabilities

if TYPE_CHECKING:
    from garrison.policy.gate import Decision

_NAMESPACE = uuid.UUID("0e4c1a52-6a0e-4d7e-9f53-2f7f0d1c8b21")
_ID_CHARS = re.compile(r"[^A-Za-z0-9.-]+")


def _created(report: Report) -> str:
    if report.started_at:
        when = dt.datetime.fromisoformat(report.started_at)
    elif os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        when = dt.datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), dt.UTC)
    else:
        when = dt.datetime.now(dt.UTC)
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _advisory_url(adv_id: str) -> str:
    if adv_id.startswith("GHSA-"):
        return f"https://github.com/advisories/{adv_id}"
    return f"https://osv.dev/vulnerability/{adv_id}"


def build_document(report: Report) -> dict[str, Any]:
    comps = components(report)
    vulns_by_purl: dict[str, list[str]] = {}
    for f in vulnerabilities(report):
        ids = vulns_by_purl.setdefault(str(f.location.purl), [])
        if f.rule.id not in ids:
            ids.append(f.rule.id)
    used: set[str] = set()
    packages: list[dict[str, Any]] = []
    relationships: list[dict[str, str]] = []
    root_id = "SPDXRef-Project"
    packages.append(
        {
            "SPDXID": root_id,
            "name": report.target.path or "project",
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": False,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "primaryPackagePurpose": "APPLICATION",
        }
    )
    relationships.append(
        {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": root_id}
    )
    for c in comps:
        base = "SPDXRef-Package-" + _ID_CHARS.sub("-", f"{c.ecosystem or 'pkg'}-{c.name}-{c.version}").strip("-")
        spdx_id, n = base, 1
        while spdx_id in used:
            n += 1
            spdx_id = f"{base}-{n}"
        used.add(spdx_id)
        refs: list[dict[str, str]] = [
            {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": c.purl}
        ]
        for vid in sorted(vulns_by_purl.get(c.purl, [])):
            refs.append(
                {"referenceCategory": "SECURITY", "referenceType": "advisory", "referenceLocator": _advisory_url(vid)}
            )
        pkg: dict[str, Any] = {
            "SPDXID": spdx_id,
            "name": c.name,
            "versionInfo": c.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": False,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "externalRefs": refs,
            "primaryPackagePurpose": "LIBRARY",
        }
        if c.manifests:
            pkg["comment"] = "declared in " + ", ".join(c.manifests)
        packages.append(pkg)
        if c.direct:
            relationships.append(
                {"spdxElementId": root_id, "relationshipType": "DEPENDS_ON", "relatedSpdxElement": spdx_id}
            )
        elif c.scope in ("dev", "test"):
            relationships.append(
                {"spdxElementId": spdx_id, "relationshipType": "DEV_DEPENDENCY_OF", "relatedSpdxElement": root_id}
            )
    content = json.dumps([packages, relationships], sort_keys=True)
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"garrison-sbom-{report.target.path or 'project'}",
        "documentNamespace": f"https://spdx.garrison.invalid/{uuid.uuid5(_NAMESPACE, content)}",
        "creationInfo": {
            "created": _created(report),
            "creators": [f"Tool: garrison-{__version__}"],
        },
        "documentDescribes": [root_id],
        "packages": packages,
        "relationships": relationships,
    }


class SpdxWriter:
    name = "spdx"
    extension = "spdx.json"

    def write(self, report: Report, decision: Decision | None, options: WriteOptions) -> bytes:
        return (json.dumps(build_document(report), indent=2, ensure_ascii=False) + "\n").encode()
