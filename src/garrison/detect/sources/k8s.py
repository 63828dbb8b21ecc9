"""Kubernetes API server audit log (``audit.k8s.io`` events, one JSON object per line)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from garrison.detect.event import Event, flatten, parse_timestamp
from garrison.detect.logsources import fixed
from garrison.detect.sources.base import SourceStats, iter_json_lines

LOGSOURCE = fixed("kubernetes", ("audit",), ("application",))


def is_record(obj: dict[str, Any]) -> bool:
    return "auditID" in obj and ("verb" in obj or str(obj.get("apiVersion", "")).startswith("audit.k8s.io"))


def k8s_event(obj: dict[str, Any], origin: str, position: str) -> Event:
    ts = parse_timestamp(obj.get("requestReceivedTimestamp") or obj.get("stageTimestamp"))
    return Event(flatten(obj), origin=origin, position=position, family="k8s", logsource=LOGSOURCE, timestamp=ts)


class K8sAuditSource:
    name = "k8s-audit"

    def records(self, stream: IO[bytes], origin: str, stats: SourceStats) -> Iterator[Event]:
        for lineno, obj in iter_json_lines(stream, stats):
            yield k8s_event(obj, origin, str(lineno))
