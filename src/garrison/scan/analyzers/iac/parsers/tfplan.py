"""Terraform plan JSON (``terraform show -json plan``) → resources: the most exact Terraform input.

Values are the planned ones; attributes the plan marks as known only after apply are :data:`UNKNOWN`.
References come from the plan's ``configuration`` section.
"""

from __future__ import annotations

import json
from typing import Any

from garrison.scan.analyzers.iac.model import UNKNOWN, Resource

MAX_PLAN = 64 * 1024 * 1024


class PlanError(Exception):
    pass


def looks_like_plan(doc: Any) -> bool:
    return isinstance(doc, dict) and "planned_values" in doc and "format_version" in doc


def _mark_unknown(values: Any, unknown: Any) -> Any:
    if unknown is True:
        return UNKNOWN
    if isinstance(values, dict) and isinstance(unknown, dict):
        out = dict(values)
        for k, u in unknown.items():
            out[k] = _mark_unknown(values.get(k), u)
        return out
    if isinstance(values, list) and isinstance(unknown, list):
        return [_mark_unknown(v, unknown[i]) if i < len(unknown) else v for i, v in enumerate(values)]
    return values


def _config_refs(config: Any, prefix: str = "") -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    if not isinstance(config, dict):
        return out
    for res in config.get("resources", []) or []:
        if not isinstance(res, dict):
            continue
        refs: set[str] = set()
        _collect_refs(res.get("expressions"), refs)
        addr = prefix + str(res.get("address", ""))
        out[addr] = {prefix + _strip_attr(r) for r in refs}
    for name, call in (config.get("module_calls") or {}).items():
        if isinstance(call, dict):
            out.update(_config_refs(call.get("module"), f"{prefix}module.{name}."))
    return out


def _strip_attr(ref: str) -> str:
    parts = ref.split(".")
    if parts[0] == "data" and len(parts) >= 3:
        return ".".join(parts[:3])
    return ".".join(parts[:2]) if len(parts) >= 2 else ref


def _collect_refs(expr: Any, refs: set[str], depth: int = 0) -> None:
    if depth > 64:
        return
    if isinstance(expr, dict):
        for k, v in expr.items():
            if k == "references" and isinstance(v, list):
                refs.update(str(r) for r in v if isinstance(r, str) and not r.startswith(("var.", "local.")))
            else:
                _collect_refs(v, refs, depth + 1)
    elif isinstance(expr, list):
        for v in expr:
            _collect_refs(v, refs, depth + 1)


def plan_resources(path: str, text: str) -> list[Resource]:
    if len(text) > MAX_PLAN:
        raise PlanError(f"plan too large to analyze ({len(text)} characters)")
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise PlanError(f"invalid JSON: {exc}") from None
    if not looks_like_plan(doc):
        raise PlanError("not a Terraform plan (no planned_values)")
    unknowns: dict[str, Any] = {}
    for change in doc.get("resource_changes", []) or []:
        if isinstance(change, dict) and isinstance(change.get("change"), dict):
            unknowns[str(change.get("address"))] = change["change"].get("after_unknown")
    refs = _config_refs((doc.get("configuration") or {}).get("root_module"))
    lines = text.splitlines()
    out: list[Resource] = []
    stack = [(doc["planned_values"].get("root_module") or {})]
    while stack:
        module = stack.pop()
        if not isinstance(module, dict):
            continue
        for res in module.get("resources", []) or []:
            if not isinstance(res, dict) or res.get("mode", "managed") not in ("managed", "data"):
                continue
            address = str(res.get("address", ""))
            values = _mark_unknown(res.get("values") or {}, unknowns.get(address))
            block = address.split("[", 1)[0]
            line = _line_of(lines, address)
            rtype = str(res.get("type", ""))
            out.append(
                Resource(
                    platform="terraform",
                    type=rtype if res.get("mode", "managed") == "managed" else f"data.{rtype}",
                    name=str(res.get("name", "")),
                    address=address,
                    attributes=values if isinstance(values, dict) else {},
                    path=path,
                    start_line=line,
                    end_line=line,
                    block_address=block,
                    references=frozenset(refs.get(block.split("[")[0], set())),
                    meta={"plan": True, "module": str(res.get("address", "")).rpartition(".")[0]},
                )
            )
        stack.extend(module.get("child_modules", []) or [])
    return out


def _line_of(lines: list[str], address: str) -> int:
    needle = json.dumps(address)
    for i, line in enumerate(lines):
        if needle in line:
            return i + 1
    return 1
