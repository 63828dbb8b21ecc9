"""docker-compose / compose files → one resource per service."""

from __future__ import annotations

from typing import Any

from garrison.scan.analyzers.iac.model import Resource
from garrison.scan.analyzers.iac.parsers.yamlload import load_documents


def is_compose_path(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith((".yml", ".yaml")) and (name.startswith(("docker-compose", "compose.", "compose-")))


def compose_resources(path: str, text: str) -> list[Resource]:
    docs = load_documents(text)
    out: list[Resource] = []
    for doc in docs:
        services = doc.get("services") if isinstance(doc, dict) else None
        if not isinstance(services, dict):
            continue
        lines = getattr(services, "key_lines", {})
        for name, svc in services.items():
            if not isinstance(svc, dict):
                continue
            start = lines.get(name, getattr(svc, "start_line", 1))
            out.append(
                Resource(
                    platform="compose",
                    type="compose_service",
                    name=str(name),
                    address=f"services.{name}",
                    attributes=_plain(svc),
                    path=path,
                    start_line=start,
                    end_line=max(getattr(svc, "end_line", start), start),
                    block_address=f"services.{name}",
                )
            )
    return out


def _plain(v: Any) -> Any:
    return v
