"""ATT&CK Navigator layer (layer format 4.5) of the techniques the alerts hit: score = number of alerts."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from garrison.core.alert import Alert


def layer(alerts: Sequence[Alert], *, name: str = "garrison hunt") -> dict[str, Any]:
    hits: Counter[str] = Counter()
    rules: dict[str, set[str]] = {}
    for a in alerts:
        for t in a.techniques:
            hits[t] += 1
            rules.setdefault(t, set()).add(a.rule_title or a.rule_id)
    top = max(hits.values(), default=1)
    techniques = [
        {
            "techniqueID": t,
            "score": hits[t],
            "enabled": True,
            "comment": "; ".join(sorted(rules[t]))[:1000],
        }
        for t in sorted(hits)
    ]
    return {
        "name": name,
        "versions": {"layer": "4.5", "navigator": "5.1.0", "attack": "17"},
        "domain": "enterprise-attack",
        "description": f"Techniques hit by {len(alerts)} alert(s) from Sigma rules",
        "sorting": 3,
        "hideDisabled": False,
        "techniques": techniques,
        "gradient": {"colors": ["#ffe766", "#ff6666"], "minValue": 0, "maxValue": top},
        "legendItems": [],
        "metadata": [],
        "showTacticRowBackground": False,
        "selectTechniquesAcrossTactics": True,
        "selectSubtechniquesWithParent": False,
    }


def write_layer(alerts: Sequence[Alert]) -> bytes:
    return (json.dumps(layer(alerts), indent=2, sort_keys=False) + "\n").encode("utf-8")
