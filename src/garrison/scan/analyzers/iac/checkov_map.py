"""The Checkov → Garrison mapping table, built from the ``checkov`` field of the built-in checks.

Used to honour ``checkov:skip=CKV_…`` comments and by the accuracy tests against Checkov's own results;
``docs/iac-checkov-mapping.md`` is generated from it (``python -m garrison.scan.analyzers.iac.catalog``).
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from garrison.scan.analyzers.iac.checks import builtin_checks


@cache
def checkov_to_garrison() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = defaultdict(list)
    for c in builtin_checks():
        for ckv in c.checkov:
            table[ckv].append(c.id)
    return {k: tuple(v) for k, v in sorted(table.items())}
