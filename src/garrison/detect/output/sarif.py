"""SARIF 2.1.0: one result per alert; rules are the Sigma rules that fired (validated against the OASIS schema
in the tests). A log file is the artifact; text formats carry the line, EVTX the record id as a logical location."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from garrison import __version__
from garrison.core.alert import Alert
from garrison.detect.output import OutputContext

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "informational": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "informational": "0.0"}


def _uri(path: str) -> str:
    return path.replace("\\", "/")


def write(alerts: Sequence[Alert], ctx: OutputContext) -> Iterator[bytes]:
    meta_by_id = {str(m.get("id")): m for m in ctx.rules}
    rule_ids = sorted({a.rule_id for a in alerts})
    rules: list[dict[str, Any]] = []
    for rid in rule_ids:
        m = meta_by_id.get(rid, {})
        a = next(x for x in alerts if x.rule_id == rid)
        rule: dict[str, Any] = {
            "id": rid,
            "name": a.rule_title or rid,
            "shortDescription": {"text": a.rule_title or rid},
            "fullDescription": {"text": (m.get("description") or a.rule_title or rid)[:2000]},
            "defaultConfiguration": {"level": LEVEL.get(a.level, "warning")},
            "properties": {
                "tags": sorted(set(a.tags) | {"security", "sigma"}),
                "security-severity": SECURITY_SEVERITY.get(a.level, "5.5"),
                "sigma-level": a.level,
                "sigma-status": a.status,
            },
        }
        refs = m.get("references") or []
        if refs and isinstance(refs[0], str) and refs[0].startswith(("http://", "https://")):
            rule["helpUri"] = refs[0]
        rules.append(rule)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    results: list[dict[str, Any]] = []
    for a in alerts:
        ev = a.events[0] if a.events else None
        loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": _uri(a.source or "-")}}}
        if ev is not None and ev.position.isdigit() and not a.source.lower().endswith(".evtx"):
            loc["physicalLocation"]["region"] = {"startLine": max(1, int(ev.position))}
        if ev is not None:
            loc["logicalLocations"] = [{"name": f"record {ev.position}", "kind": "member"}]
        text = a.rule_title
        if a.host:
            text += f" on {a.host}"
        if a.kind == "correlation":
            text += f" ({len(a.events)} events, value {a.value:g})" if a.value is not None else ""
        props: dict[str, Any] = {
            "kind": a.kind,
            "timestamp": a.timestamp,
            "host": a.host,
            "attack.tactics": list(a.tactics),
            "attack.techniques": list(a.techniques),
            "matched": [m.name for m in a.matched],
        }
        if a.kind == "correlation":
            props["group"] = {k: v for k, v in a.group.items()}
        results.append(
            {
                "ruleId": a.rule_id,
                "ruleIndex": index[a.rule_id],
                "level": LEVEL.get(a.level, "warning"),
                "message": {"text": text},
                "locations": [loc],
                "partialFingerprints": {"garrisonAlert/v1": a.id},
                "properties": props,
            }
        )
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "garrison-hunt",
                        "version": __version__,
                        "informationUri": "https://github.com/garrison-sec/garrison",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    yield (json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")
