"""Kubernetes manifests (multi-document YAML, ``List`` objects, Helm/Kustomize rendered output) → resources."""

from __future__ import annotations

from typing import Any

from garrison.scan.analyzers.iac.model import Resource
from garrison.scan.analyzers.iac.parsers.yamlload import load_documents

WORKLOAD_KINDS = frozenset(
    {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"}
)


def looks_like_kubernetes(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("apiVersion"), str)
        and isinstance(doc.get("kind"), str)
        and (isinstance(doc.get("metadata"), dict) or doc.get("kind", "").endswith("List"))
    )


def parse_kubernetes_text(text: str) -> list[Any]:
    """The Kubernetes objects of a YAML stream (other documents are ignored)."""
    return [d for d in load_documents(text) if looks_like_kubernetes(d)]


def kubernetes_resources(path: str, docs: list[Any]) -> list[Resource]:
    out: list[Resource] = []
    for doc in docs:
        items = doc.get("items") if doc.get("kind", "").endswith("List") else None
        for obj in items if isinstance(items, list) else [doc]:
            if not looks_like_kubernetes(obj):
                continue
            meta = obj.get("metadata") or {}
            name = meta.get("name") if isinstance(meta, dict) else None
            if not isinstance(name, str):
                name = str(meta.get("generateName", "unnamed")) if isinstance(meta, dict) else "unnamed"
            namespace = meta.get("namespace") if isinstance(meta, dict) else None
            kind = obj["kind"]
            start = getattr(obj, "start_line", 1)
            out.append(
                Resource(
                    platform="kubernetes",
                    type=kind,
                    name=name,
                    address=f"{kind}/{name}",
                    attributes=obj,
                    path=path,
                    start_line=start,
                    end_line=max(getattr(obj, "end_line", start), start),
                    block_address=f"{kind}/{name}",
                    meta={"namespace": namespace if isinstance(namespace, str) else None},
                )
            )
    return out


def pod_spec(resource: Resource) -> dict[str, Any] | None:
    """The pod spec a workload runs, whatever its kind."""
    a = resource.attributes
    if resource.type == "Pod":
        spec = a.get("spec")
    elif resource.type == "CronJob":
        spec = _dig(a, "spec", "jobTemplate", "spec", "template", "spec")
    elif resource.type in WORKLOAD_KINDS:
        spec = _dig(a, "spec", "template", "spec")
    else:
        return None
    return spec if isinstance(spec, dict) else None


def pod_metadata(resource: Resource) -> dict[str, Any]:
    a = resource.attributes
    if resource.type == "Pod":
        m = a.get("metadata")
    elif resource.type == "CronJob":
        m = _dig(a, "spec", "jobTemplate", "spec", "template", "metadata")
    else:
        m = _dig(a, "spec", "template", "metadata")
    return m if isinstance(m, dict) else {}


def containers(spec: dict[str, Any], *, init: bool = True) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    keys = ("containers", "initContainers", "ephemeralContainers") if init else ("containers",)
    for key in keys:
        items = spec.get(key)
        if isinstance(items, list):
            out.extend(c for c in items if isinstance(c, dict))
    return out


def _dig(obj: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(k)
    return obj
