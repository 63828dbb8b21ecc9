"""Human-readable table: one line per alert, most recent last, followed by the run summary."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from garrison.core.alert import Alert
from garrison.detect.output import OutputContext

COLORS = {"critical": "\x1b[1;31m", "high": "\x1b[31m", "medium": "\x1b[33m", "low": "\x1b[36m"}
RESET = "\x1b[0m"


def _clip(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def write(alerts: Sequence[Alert], ctx: OutputContext) -> Iterator[bytes]:
    lines: list[str] = []
    if alerts:
        lines.append(f"{'TIME':24}  {'LEVEL':13}  {'HOST':20}  {'RULE':60}  WHERE")
    for a in alerts:
        where = f"{a.source}:{a.events[0].position}" if a.events else a.source
        if a.kind == "correlation":
            grp = ", ".join(f"{k}={v}" for k, v in a.group.items())
            where = f"correlation ({len(a.events)} events{'; ' + grp if grp else ''})"
        level = a.level
        shown = f"{COLORS.get(level, '')}{level:13}{RESET}" if ctx.color and level in COLORS else f"{level:13}"
        lines.append(
            f"{(a.timestamp or '-'):24}  {shown}  {_clip(a.host or '-', 20):20}  {_clip(a.rule_title, 60):60}  {where}"
        )
    lines.extend(ctx.summary)
    yield ("\n".join(lines) + "\n").encode("utf-8")
