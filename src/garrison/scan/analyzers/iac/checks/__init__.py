"""The built-in check catalogue, one module per provider/platform. :func:`builtin_checks` collects them."""

from __future__ import annotations

from functools import cache

from garrison.scan.analyzers.iac.checks.base import Check

_MODULES = (
    "aws_storage",
    "aws_compute",
    "aws_iam",
    "aws_network",
    "aws_data",
    "azure",
    "gcp",
    "other_clouds",
    "kubernetes",
    "dockerfile",
    "compose",
)


@cache
def builtin_checks() -> tuple[Check, ...]:
    import importlib

    out: list[Check] = []
    seen: set[str] = set()
    for name in _MODULES:
        mod = importlib.import_module(f"garrison.scan.analyzers.iac.checks.{name}")
        for c in mod.CHECKS:
            if c.id in seen:
                raise ValueError(f"duplicate IaC check id {c.id}")
            seen.add(c.id)
            out.append(c)
    return tuple(out)
